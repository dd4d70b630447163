import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { BosunError } from '../../errors.js';

// Stored form: scrypt$<log2 N>$<r>$<p>$<salt, base64>$<key, base64>. The parameters travel
// with each hash, so raising the cost later leaves existing secrets verifiable.
const defaults = { logN: 15, r: 8, p: 1 };
const keyBytes = 32;
const saltBytes = 16;
const stored = /^scrypt\$(\d{1,2})\$(\d{1,2})\$(\d)\$([A-Za-z0-9+/=]{1,64})\$([A-Za-z0-9+/=]{1,128})$/;

/** Longest secret accepted (bytes); longer input is refused before any hashing. */
export const maxSecretBytes = 1024;

function derive(secret: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  const N = 2 ** logN;
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, keyBytes, { N, r, p, maxmem: 256 * N * r }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/**
 * Hashes a password or robot secret with scrypt (N=2^15, r=8, p=1) and a fresh 16-byte salt.
 * Throws REGISTRY_AUTH_PASSWORD_INVALID for an empty or over-long secret.
 */
export async function hashSecret(secret: string): Promise<string> {
  if (secret.length === 0 || Buffer.byteLength(secret) > maxSecretBytes) {
    throw new BosunError('REGISTRY_AUTH_PASSWORD_INVALID', `a secret must be 1-${maxSecretBytes} bytes`);
  }
  const salt = randomBytes(saltBytes);
  const key = await derive(secret, salt, defaults.logN, defaults.r, defaults.p);
  return `scrypt$${defaults.logN}$${defaults.r}$${defaults.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/**
 * True when `secret` hashes to `hash` (compared in constant time). A malformed stored hash
 * or out-of-range parameters never verify; over-long input is refused without hashing.
 */
export async function verifySecret(secret: string, hash: string): Promise<boolean> {
  const m = stored.exec(hash);
  if (!m || secret.length === 0 || Buffer.byteLength(secret) > maxSecretBytes) return false;
  const [logN, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (logN < 10 || logN > 20 || r < 1 || r > 16 || p < 1 || p > 4) return false;
  const want = Buffer.from(m[5]!, 'base64');
  if (want.length !== keyBytes) return false;
  const got = await derive(secret, Buffer.from(m[4]!, 'base64'), logN, r, p);
  return timingSafeEqual(got, want);
}

/** A random secret of 32 base64url characters (192 bits), for generated passwords and robots. */
export function generateSecret(): string {
  return randomBytes(24).toString('base64url');
}
