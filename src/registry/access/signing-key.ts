import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { link, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BosunError } from '../../errors.js';

/** The registry's token signing key: ES256 (ECDSA P-256 with SHA-256). */
export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** RFC 7638 JWK thumbprint of the public key, written as the token header's `kid`. */
  kid: string;
}

/** Where the key lives in the data directory. */
export const signingKeyFile = 'token-key.pem';

function thumbprint(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  // spec: RFC 7638 §3.2: the required members in lexical order, no whitespace.
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

/** Wraps a P-256 private key; throws REGISTRY_AUTH_KEY_INVALID for any other key. */
export function signingKeyFrom(privateKey: KeyObject): SigningKey {
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new BosunError('REGISTRY_AUTH_KEY_INVALID', 'the token signing key is not an EC P-256 private key');
  }
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, kid: thumbprint(publicKey) };
}

/** A fresh P-256 key (tests, and the first start). */
export function generateSigningKey(): SigningKey {
  return signingKeyFrom(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
}

async function readKey(file: string): Promise<SigningKey> {
  const info = await stat(file);
  if ((info.mode & 0o077) !== 0) {
    throw new BosunError('REGISTRY_AUTH_KEY_INVALID', `${file} is readable by group or others (mode ${(info.mode & 0o777).toString(8)}); chmod 600 it`);
  }
  if (info.size > 16 * 1024) throw new BosunError('REGISTRY_AUTH_KEY_INVALID', `${file} is too large for a key`);
  try {
    return signingKeyFrom(createPrivateKey(await readFile(file)));
  } catch (err) {
    if (err instanceof BosunError) throw err;
    throw new BosunError('REGISTRY_AUTH_KEY_INVALID', `${file} is not a PEM private key`, { cause: err });
  }
}

/**
 * Loads `<dataDir>/token-key.pem`, generating it on first start (PKCS#8 PEM, mode 0600). The
 * file appears complete or not at all: it is written to a temp file and hard-linked into
 * place, so two processes starting at once end up with the same key. Throws
 * REGISTRY_AUTH_KEY_INVALID for an unreadable, foreign or group/other-readable key.
 */
export async function loadOrCreateSigningKey(dataDir: string): Promise<SigningKey> {
  const file = join(dataDir, signingKeyFile);
  try {
    return await readKey(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = generateSigningKey();
  const tmp = join(dataDir, `.${signingKeyFile}.${randomBytes(8).toString('hex')}`);
  await writeFile(tmp, key.privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx', flush: true });
  try {
    await link(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return readKey(file);
  } finally {
    await unlink(tmp);
  }
  return key;
}
