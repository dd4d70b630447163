import { randomBytes, scrypt } from 'node:crypto';
import { xsalsa20poly1305 } from '@noble/ciphers/salsa';
import { z } from 'zod';
import { BosunError } from '../../errors.js';
import { signLimits } from '../limits.js';
import { toPem } from './pem.js';

/** The PEM label cosign ≥ 2.0 writes; `ENCRYPTED COSIGN PRIVATE KEY` is the older spelling. */
export const SIGSTORE_KEY_LABEL = 'ENCRYPTED SIGSTORE PRIVATE KEY';
export const COSIGN_KEY_LABEL = 'ENCRYPTED COSIGN PRIVATE KEY';

// spec: secure-systems-lab/go-securesystemslib encrypted (the format cosign uses):
// JSON { kdf: scrypt{N,r,p} + salt, cipher: nacl/secretbox + nonce, ciphertext }, all base64.
const b64 = z.string().max(1 << 16).regex(/^[A-Za-z0-9+/]*={0,2}$/);
const envelopeSchema = z.object({
  kdf: z.object({
    name: z.literal('scrypt'),
    params: z.object({ N: z.number().int().positive(), r: z.number().int().positive(), p: z.number().int().positive() }),
    salt: b64,
  }),
  cipher: z.object({ name: z.literal('nacl/secretbox'), nonce: b64 }),
  ciphertext: b64,
});
type Envelope = z.infer<typeof envelopeSchema>;

/** cosign's defaults (go-securesystemslib `DefaultScryptParams`). */
const DEFAULT_SCRYPT = { N: 32768, r: 8, p: 1 } as const;

function deriveKey(password: Uint8Array, salt: Uint8Array, params: { N: number; r: number; p: number }): Promise<Buffer> {
  const { N, r, p } = params;
  // scrypt needs 128·N·r bytes; node's default maxmem (32 MiB) is below cosign's N=65536 keys.
  const maxmem = 256 * N * r + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(password, salt, 32, { N, r, p, maxmem }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/**
 * Encrypts PKCS#8 DER the way `cosign generate-key-pair` does and returns the PEM text
 * (label `ENCRYPTED SIGSTORE PRIVATE KEY`). A fresh 32-byte salt and 24-byte nonce per call.
 */
export async function encryptPrivateKey(pkcs8: Uint8Array, password: Uint8Array): Promise<string> {
  const salt = randomBytes(32);
  const nonce = randomBytes(24);
  const key = await deriveKey(password, salt, DEFAULT_SCRYPT);
  const ciphertext = xsalsa20poly1305(key, nonce).encrypt(pkcs8);
  const envelope: Envelope = {
    kdf: { name: 'scrypt', params: { ...DEFAULT_SCRYPT }, salt: salt.toString('base64') },
    cipher: { name: 'nacl/secretbox', nonce: nonce.toString('base64') },
    ciphertext: Buffer.from(ciphertext).toString('base64'),
  };
  return toPem(SIGSTORE_KEY_LABEL, Buffer.from(JSON.stringify(envelope)));
}

function parseEnvelope(der: Buffer, what: string): Envelope {
  let json: unknown;
  try {
    json = JSON.parse(der.toString('utf8'));
  } catch (err) {
    throw new BosunError('SIGN_KEY_INVALID', `${what}: encrypted key body is not JSON`, { cause: err });
  }
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) throw new BosunError('SIGN_KEY_INVALID', `${what}: encrypted key envelope is malformed`, { cause: parsed.error });
  const { N, r, p } = parsed.data.kdf.params;
  // Bound the KDF cost: a hostile key file must not make us allocate gigabytes or spin for minutes.
  if (N > signLimits.scryptMaxN || (N & (N - 1)) !== 0 || r > signLimits.scryptMaxR || p > signLimits.scryptMaxP) {
    throw new BosunError('SIGN_KEY_INVALID', `${what}: scrypt parameters N=${N} r=${r} p=${p} are outside the accepted range`);
  }
  return parsed.data;
}

/**
 * Decrypts the body (DER bytes of the PEM block) of a cosign-encrypted private key and returns
 * the plaintext (PKCS#8 DER for keys cosign made). Throws SIGN_KEY_INVALID for a malformed
 * envelope and SIGN_KEY_PASSWORD_WRONG when the secretbox does not open.
 */
export async function decryptPrivateKey(der: Buffer, password: Uint8Array, what: string): Promise<Buffer> {
  const env = parseEnvelope(der, what);
  const salt = Buffer.from(env.kdf.salt, 'base64');
  const nonce = Buffer.from(env.cipher.nonce, 'base64');
  if (nonce.length !== 24) throw new BosunError('SIGN_KEY_INVALID', `${what}: secretbox nonce must be 24 bytes, not ${nonce.length}`);
  const key = await deriveKey(password, salt, env.kdf.params);
  try {
    return Buffer.from(xsalsa20poly1305(key, nonce).decrypt(Buffer.from(env.ciphertext, 'base64')));
  } catch (err) {
    throw new BosunError('SIGN_KEY_PASSWORD_WRONG', `${what}: the password does not decrypt this key`, { cause: err });
  }
}
