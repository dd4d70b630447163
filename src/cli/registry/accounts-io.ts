import type { Readable } from 'node:stream';
import { BosunError } from '../../errors.js';
import { formatGrants } from '../../registry/access/accounts.js';
import type { AccessStore, Account } from '../../registry/access/store.js';
import { withFeatureStores } from '../../registry/registry-target.js';
import { table } from '../format.js';
import type { Command } from 'commander';
import { registryTarget, targetOptions, type TargetFlags } from './target.js';

/** Reads a password from stdin (at most 1 KiB, one trailing newline dropped). */
export async function readPasswordStdin(stdin: Readable = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stdin) {
    total += (chunk as Buffer).length;
    if (total > 1026) throw new BosunError('REGISTRY_AUTH_PASSWORD_INVALID', 'the password on stdin is longer than 1024 bytes');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Prints a generated secret alone on stdout (for scripts) and a note on stderr. */
export function showSecret(what: string, secret: string | undefined): void {
  if (secret === undefined) {
    process.stderr.write(`bosun: ${what}\n`);
    return;
  }
  process.stderr.write(`bosun: ${what}; its secret is printed below and will not be shown again\n`);
  process.stdout.write(`${secret}\n`);
}

export interface ListFlags {
  json?: boolean;
  format?: string;
}

/**
 * Adds the output flags of `users list` / `robots list`: `--format table|json`, as every other
 * bosun listing takes it, and `--json`, its shorthand.
 */
export function listOptions(cmd: Command): Command {
  return cmd.option('--format <format>', 'table or json', 'table').option('--json', 'print JSON (same as --format json)');
}

/** True when the list flags ask for JSON; INPUT_INVALID for a format other than table or json. */
export function wantsJson(flags: ListFlags): boolean {
  if (flags.format !== undefined && flags.format !== 'table' && flags.format !== 'json') {
    throw new BosunError('INPUT_INVALID', `invalid --format "${flags.format}": want table or json`);
  }
  return flags.json === true || flags.format === 'json';
}

/** Accounts as a table (NAME, CREATED, GRANTS, and DESCRIPTION when any has one) or JSON without secret hashes. */
export function printAccounts(accounts: readonly Account[], json: boolean): void {
  if (json) {
    const shown = accounts.map((a) => ({ name: a.name, kind: a.kind, description: a.description, createdAt: new Date(a.createdAt).toISOString(), grants: a.grants }));
    process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
    return;
  }
  const hasDescriptions = accounts.some((a) => a.description);
  const rows = accounts.map((a) => [
    a.name, new Date(a.createdAt).toISOString().slice(0, 19) + 'Z', formatGrants(a.grants) || '-',
    ...(hasDescriptions ? [a.description ?? ''] : []),
  ]);
  process.stdout.write(table(['NAME', 'CREATED', 'GRANTS', ...(hasDescriptions ? ['DESCRIPTION'] : [])], rows));
}

export type DataFlags = TargetFlags;

export const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * Opens the registry's access store (meta.db, or PostgreSQL with --config) for one command and
 * closes it after. With `create`, a missing data directory is created; otherwise one without
 * meta.db throws IO_FAILED, so a mistyped --data does not silently manage an empty registry.
 */
export async function withStore<T>(flags: DataFlags, create: boolean, fn: (store: AccessStore) => Promise<T>): Promise<T> {
  const missing = (file: string) => new BosunError('IO_FAILED', `no registry metadata at ${file}; check --data`);
  return withFeatureStores(await registryTarget(flags), { create, missing }, (stores) => fn(stores.access));
}

export function dataOption(cmd: Command): Command {
  return targetOptions(cmd, 'the accounts');
}
