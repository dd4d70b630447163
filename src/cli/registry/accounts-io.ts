import type { Readable } from 'node:stream';
import { BosunError } from '../../errors.js';
import { formatGrants, openAccessStore } from '../../registry/access/accounts.js';
import type { Account } from '../../registry/access/store.js';
import type { SqliteAccessStore } from '../../registry/access/sqlite-store.js';
import type { Command } from 'commander';

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

/** Accounts as a table (NAME, CREATED, GRANTS) or JSON without secret hashes. */
export function printAccounts(accounts: readonly Account[], json: boolean): void {
  if (json) {
    const shown = accounts.map((a) => ({ name: a.name, kind: a.kind, description: a.description, createdAt: new Date(a.createdAt).toISOString(), grants: a.grants }));
    process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
    return;
  }
  const rows = accounts.map((a) => [a.name, new Date(a.createdAt).toISOString().slice(0, 19) + 'Z', formatGrants(a.grants) || '-']);
  const width = Math.max(4, ...rows.map((r) => r[0]!.length));
  process.stdout.write(`${'NAME'.padEnd(width)}  CREATED               GRANTS\n`);
  for (const r of rows) process.stdout.write(`${r[0]!.padEnd(width)}  ${r[1]}  ${r[2]}\n`);
}

export interface DataFlags {
  data: string;
}

export const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Opens the data directory's access store for one command and closes it after. */
export async function withStore<T>(flags: DataFlags, create: boolean, fn: (store: SqliteAccessStore) => Promise<T>): Promise<T> {
  const store = await openAccessStore(flags.data, { create });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export function dataOption(cmd: Command): Command {
  return cmd.option('--data <dir>', 'registry data directory (its meta.db holds the accounts)', './registry-data');
}
