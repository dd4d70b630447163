import { randomBytes } from 'node:crypto';
import { link, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { BosunError } from '../../errors.js';
import { generateSecret, hashSecret, maxSecretBytes } from './secrets.js';
import type { AccessStore } from './store.js';

/** The account the quick start creates. */
export const adminAccount = 'admin';

export interface AdminBootstrap {
  /** True when the `admin` account was created now. */
  created: boolean;
  /** True when the password file did not exist and a random password was written to it. */
  generated: boolean;
  /** True when the password file is readable by group or others (worth a warning). */
  exposed: boolean;
}

async function readPassword(file: string): Promise<string | undefined> {
  let text: string;
  try {
    const info = await stat(file);
    if (info.size > maxSecretBytes + 2) throw new BosunError('REGISTRY_AUTH_PASSWORD_INVALID', `${file}: larger than a password`);
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (err instanceof BosunError) throw err;
    throw new BosunError('REGISTRY_AUTH_PASSWORD_INVALID', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  const password = text.replace(/\r?\n$/, '');
  if (Buffer.byteLength(password) < 8) throw new BosunError('REGISTRY_AUTH_PASSWORD_INVALID', `${file}: the password must be at least 8 bytes`);
  return password;
}

/** Writes `text` to `file` with mode 0600, all or nothing, refusing to replace an existing file. */
async function writeSecretFile(file: string, text: string): Promise<void> {
  const tmp = join(dirname(file), `.${randomBytes(8).toString('hex')}.tmp`);
  await writeFile(tmp, text, { mode: 0o600, flag: 'wx', flush: true });
  try {
    await link(tmp, file);
  } finally {
    await unlink(tmp);
  }
}

/**
 * The quick start: unless an `admin` account exists, creates it (admin on `**`) with the
 * password in `file`, first writing a random one there (mode 0600) when the file does not
 * exist. An existing admin is left alone: the file only seeds the first start.
 * Throws REGISTRY_AUTH_PASSWORD_INVALID for an unreadable file or a password under 8 bytes.
 */
export async function ensureAdmin(store: AccessStore, file: string): Promise<AdminBootstrap> {
  if (await store.getAccount(adminAccount)) return { created: false, generated: false, exposed: false };
  let password = await readPassword(file);
  const generated = password === undefined;
  if (password === undefined) {
    password = generateSecret();
    await writeSecretFile(file, `${password}\n`);
  }
  const exposed = ((await stat(file)).mode & 0o077) !== 0;
  await store.createAccount({
    name: adminAccount,
    kind: 'user',
    secretHash: await hashSecret(password),
    createdAt: Date.now(),
    grants: [{ pattern: '**', actions: ['admin'] }],
  });
  return { created: true, generated, exposed };
}
