import { generateKeyPairSync } from 'node:crypto';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { BosunError } from '../../errors.js';
import { encryptPrivateKey } from './encrypted.js';
import type { PasswordSource } from './password.js';
import { toPem } from './pem.js';
import { writeAtomic } from '../write-file.js';

/** Options for `generateKeyPair`. */
export interface GenerateKeyPairOptions {
  /** Directory to write `<prefix>.key` and `<prefix>.pub` into. */
  readonly dir: string;
  readonly password: PasswordSource;
  /** File name stem; cosign's `--output-key-prefix`, default `cosign`. */
  readonly prefix?: string;
  /** Overwrite existing files (cosign asks; bosun refuses unless told). */
  readonly force?: boolean;
}

/** Paths written and the public key PEM. */
export interface GeneratedKeyPair {
  readonly privateKeyPath: string;
  readonly publicKeyPath: string;
  readonly publicKeyPem: string;
}

/**
 * Generates an ECDSA P-256 key pair in cosign's format: `<prefix>.key` is PKCS#8 DER encrypted
 * with scrypt + nacl/secretbox under the PEM label `ENCRYPTED SIGSTORE PRIVATE KEY` (mode 0600),
 * `<prefix>.pub` is PKIX PEM. Each file is written to a temp name and renamed into place.
 * Throws IO_FAILED when a file exists and `force` is not set, or on write failure.
 */
export async function generateKeyPair(opts: GenerateKeyPairOptions): Promise<GeneratedKeyPair> {
  const prefix = opts.prefix ?? 'cosign';
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(prefix) || prefix.startsWith('.')) throw new BosunError('INPUT_INVALID', `key prefix '${prefix}' must be a plain file name`);
  const privateKeyPath = join(opts.dir, `${prefix}.key`);
  const publicKeyPath = join(opts.dir, `${prefix}.pub`);
  if (!opts.force) {
    for (const p of [privateKeyPath, publicKeyPath]) {
      if (await exists(p)) throw new BosunError('IO_FAILED', `'${p}' already exists; pass --force to overwrite it`);
    }
  }
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  const keyPem = await encryptPrivateKey(pkcs8, await opts.password('encrypt'));
  const publicKeyPem = toPem('PUBLIC KEY', publicKey.export({ format: 'der', type: 'spki' }));
  await writeAtomic(privateKeyPath, keyPem, 0o600);
  await writeAtomic(publicKeyPath, publicKeyPem, 0o644);
  return { privateKeyPath, publicKeyPath, publicKeyPem };
}

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}
