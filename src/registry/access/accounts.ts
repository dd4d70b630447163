import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BosunError } from '../../errors.js';
import { parseActions, type Action } from './actions.js';
import { parsePattern } from './patterns.js';
import { generateSecret, hashSecret, maxSecretBytes } from './secrets.js';
import { SqliteAccessStore } from './sqlite-store.js';
import type { AccessStore, Account, AccountKind, Grant } from './store.js';

const namePattern = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** Robot accounts are named with this prefix (as Harbor does), so they never collide with users. */
export const robotPrefix = 'robot$';

/**
 * The stored name of an account: users as given, robots with the `robot$` prefix (added
 * when missing). Throws REGISTRY_AUTH_NAME_INVALID.
 */
export function accountName(kind: AccountKind, raw: string): string {
  const bare = kind === 'robot' && raw.startsWith(robotPrefix) ? raw.slice(robotPrefix.length) : raw;
  if (!namePattern.test(bare)) throw new BosunError('REGISTRY_AUTH_NAME_INVALID', `invalid ${kind} name "${raw.slice(0, 80)}"`);
  return kind === 'robot' ? `${robotPrefix}${bare}` : bare;
}

/** Parses `PATTERN=ACTIONS` (e.g. `team/**=pull,push`); throws REGISTRY_AUTH_GRANT_INVALID. */
export function parseGrant(text: string): Grant {
  const eq = text.lastIndexOf('=');
  if (eq <= 0) throw new BosunError('REGISTRY_AUTH_GRANT_INVALID', `invalid grant "${text.slice(0, 300)}": want PATTERN=ACTIONS, e.g. team/**=pull,push`);
  return { pattern: parsePattern(text.slice(0, eq)), actions: parseActions(text.slice(eq + 1)) };
}

function checkPassword(password: string): string {
  const bytes = Buffer.byteLength(password);
  if (bytes < 8 || bytes > maxSecretBytes) throw new BosunError('REGISTRY_AUTH_PASSWORD_INVALID', `a password must be 8-${maxSecretBytes} bytes (got ${bytes})`);
  return password;
}

/**
 * Opens the access store of a registry data directory offline (the server may be running).
 * With `create`, a missing directory is created (accounts may be added before the first
 * start); otherwise a directory without meta.db throws IO_FAILED, so a mistyped --data does
 * not silently manage an empty registry.
 */
export async function openAccessStore(dataDir: string, opts: { create?: boolean } = {}): Promise<SqliteAccessStore> {
  const file = join(dataDir, 'meta.db');
  if (!opts.create && !existsSync(file)) throw new BosunError('IO_FAILED', `no registry metadata at ${file}; check --data`);
  await mkdir(dataDir, { recursive: true });
  return new SqliteAccessStore(file);
}

export interface AddAccountOptions {
  kind: AccountKind;
  name: string;
  /** Users only; generated when absent (robots always get a generated secret). */
  password?: string;
  grants?: Grant[];
  description?: string;
}

/**
 * Creates a user or robot. Resolves the stored name and, when it was generated, the secret:
 * the only time it is ever shown. Throws REGISTRY_AUTH_NAME_INVALID, _PASSWORD_INVALID,
 * _ACCOUNT_EXISTS.
 */
export async function addAccount(store: AccessStore, opts: AddAccountOptions): Promise<{ name: string; secret?: string }> {
  const name = accountName(opts.kind, opts.name);
  const given = opts.kind === 'user' && opts.password !== undefined ? checkPassword(opts.password) : undefined;
  const secret = given ?? generateSecret();
  const account: Account = { name, kind: opts.kind, secretHash: await hashSecret(secret), createdAt: Date.now(), grants: opts.grants ?? [] };
  if (opts.description !== undefined) account.description = opts.description.slice(0, 500);
  await store.createAccount(account);
  return given === undefined ? { name, secret } : { name };
}

async function existing(store: AccessStore, name: string): Promise<Account> {
  const account = await store.getAccount(name);
  if (!account) throw new BosunError('REGISTRY_AUTH_ACCOUNT_UNKNOWN', `no account "${name.slice(0, 80)}"`);
  return account;
}

/** Sets a user's password (generated and returned when absent). Throws _ACCOUNT_UNKNOWN for robots too. */
export async function setPassword(store: AccessStore, name: string, password?: string): Promise<{ secret?: string }> {
  const account = await existing(store, name);
  if (account.kind !== 'user') throw new BosunError('REGISTRY_AUTH_ACCOUNT_UNKNOWN', `"${name}" is a robot; remove and re-add it for a new secret`);
  const secret = password !== undefined ? checkPassword(password) : generateSecret();
  await store.setSecret(name, await hashSecret(secret));
  return password === undefined ? { secret } : {};
}

/** Grants `actions` on `pattern` to an account (replacing what it had on that pattern). */
export async function grantAccess(store: AccessStore, name: string, pattern: string, actions: string): Promise<Grant> {
  const grant: Grant = { pattern: parsePattern(pattern), actions: parseActions(actions) };
  if (!(await store.setGrant(name, grant))) throw new BosunError('REGISTRY_AUTH_ACCOUNT_UNKNOWN', `no account "${name.slice(0, 80)}"`);
  return grant;
}

/** Removes an account's grant on exactly `pattern`; throws _ACCOUNT_UNKNOWN / _GRANT_INVALID when absent. */
export async function revokeAccess(store: AccessStore, name: string, pattern: string): Promise<void> {
  await existing(store, name);
  if (!(await store.removeGrant(name, pattern))) throw new BosunError('REGISTRY_AUTH_GRANT_INVALID', `"${name}" has no grant on "${pattern.slice(0, 260)}"`);
}

/** Removes a user or robot (by its stored or bare name); throws _ACCOUNT_UNKNOWN. */
export async function removeAccount(store: AccessStore, kind: AccountKind, raw: string): Promise<string> {
  const name = accountName(kind, raw);
  const account = await existing(store, name);
  if (account.kind !== kind) throw new BosunError('REGISTRY_AUTH_ACCOUNT_UNKNOWN', `"${name}" is not a ${kind}`);
  await store.deleteAccount(name);
  return name;
}

/** One line per grant, for listings: `team/**=pull,push`. */
export function formatGrants(grants: readonly { pattern: string; actions: readonly Action[] }[]): string {
  return grants.map((g) => `${g.pattern}=${g.actions.join(',')}`).join(' ');
}
