import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { BosunError } from '../../errors.js';
import { signLimits } from '../limits.js';
import { readFileCapped } from '../read-file.js';
import { COSIGN_KEY_LABEL, SIGSTORE_KEY_LABEL, decryptPrivateKey } from './encrypted.js';
import type { PasswordSource } from './password.js';
import { parsePem } from './pem.js';

/** A loaded signing key and its public half. */
export interface SigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** Options for `loadPrivateKey`. */
export interface LoadPrivateKeyOptions {
  readonly password: PasswordSource;
  readonly env?: NodeJS.ProcessEnv;
}

const ENV_PREFIX = 'env://';

/**
 * Reads key text from `ref`: `env://VAR` takes the PEM from that environment variable (cosign's
 * convention), anything else is a file path (size-capped). Throws INPUT_INVALID for an unset
 * variable, IO_FAILED / LIMIT_EXCEEDED for files.
 */
export async function readKeyText(ref: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (ref.startsWith(ENV_PREFIX)) {
    const name = ref.slice(ENV_PREFIX.length);
    const value = env[name];
    if (value === undefined || value === '') throw new BosunError('INPUT_INVALID', `environment variable '${name}' named by '${ref}' is not set`);
    if (value.length > signLimits.keyBytes) throw new BosunError('LIMIT_EXCEEDED', `key in '${ref}' is over the ${signLimits.keyBytes}-byte limit`);
    return value;
  }
  return (await readFileCapped(ref, signLimits.keyBytes, 'key file')).toString('utf8');
}

/**
 * Loads a private key: cosign's encrypted PEM (`ENCRYPTED SIGSTORE PRIVATE KEY` or the older
 * `ENCRYPTED COSIGN PRIVATE KEY`, password from `opts.password`) or an unencrypted PKCS#8 PEM.
 * Throws SIGN_KEY_INVALID, SIGN_KEY_PASSWORD_WRONG / _MISSING, SIGN_KEY_SEC1 for SEC1 keys where
 * PKCS#8 is expected, SIGN_KEY_UNSUPPORTED for key types bosun does not sign with.
 */
export async function loadPrivateKey(ref: string, opts: LoadPrivateKeyOptions): Promise<SigningKey> {
  const what = `private key '${ref}'`;
  const block = parsePem(await readKeyText(ref, opts.env), what);
  let pkcs8: Buffer;
  switch (block.label) {
    case SIGSTORE_KEY_LABEL:
    case COSIGN_KEY_LABEL:
      pkcs8 = await decryptPrivateKey(block.der, await opts.password('decrypt'), what);
      break;
    case 'PRIVATE KEY':
      pkcs8 = block.der;
      break;
    case 'EC PRIVATE KEY':
      throw new BosunError('SIGN_KEY_SEC1', `${what} is a SEC1 'EC PRIVATE KEY'; bosun expects PKCS#8`);
    default:
      throw new BosunError('SIGN_KEY_INVALID', `${what}: PEM label '${block.label}' is not a private key bosun reads`);
  }
  const privateKey = pkcs8ToKey(pkcs8, what);
  assertSupported(privateKey, what);
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

function pkcs8ToKey(der: Buffer, what: string): KeyObject {
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch (err) {
    if (isSec1(der)) throw new BosunError('SIGN_KEY_SEC1', `${what} holds a SEC1 EC key; bosun (like cosign) expects PKCS#8`, { cause: err });
    throw new BosunError('SIGN_KEY_INVALID', `${what} does not hold a PKCS#8 private key`, { cause: err });
  }
}

function isSec1(der: Buffer): boolean {
  try {
    createPrivateKey({ key: der, format: 'der', type: 'sec1' });
    return true;
  } catch {
    return false;
  }
}

/** Loads a PKIX (`PUBLIC KEY`) PEM from a file or `env://VAR`. Throws SIGN_KEY_INVALID / _UNSUPPORTED. */
export async function loadPublicKey(ref: string, env?: NodeJS.ProcessEnv): Promise<KeyObject> {
  return parsePublicKey(await readKeyText(ref, env), `public key '${ref}'`);
}

/** Parses PKIX PEM text into a supported public key (ECDSA P-256/P-384, Ed25519, RSA ≥ 2048). */
export function parsePublicKey(text: string, what: string): KeyObject {
  const block = parsePem(text, what);
  if (block.label !== 'PUBLIC KEY') throw new BosunError('SIGN_KEY_INVALID', `${what}: PEM label '${block.label}' is not 'PUBLIC KEY' (PKIX)`);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: block.der, format: 'der', type: 'spki' });
  } catch (err) {
    throw new BosunError('SIGN_KEY_INVALID', `${what} is not a valid PKIX public key`, { cause: err });
  }
  assertSupported(key, what);
  return key;
}

/** ECDSA P-256/P-384, Ed25519 and RSA ≥ 2048 bits; anything else is SIGN_KEY_UNSUPPORTED. */
export function assertSupported(key: KeyObject, what: string): void {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  if (type === 'ec' && (details.namedCurve === 'prime256v1' || details.namedCurve === 'secp384r1')) return;
  if (type === 'ed25519') return;
  if (type === 'rsa' && (details.modulusLength ?? 0) >= 2048) return;
  const desc = type === 'ec' ? `ec ${details.namedCurve ?? '?'}` : type === 'rsa' ? `rsa ${details.modulusLength ?? '?'} bits` : String(type);
  throw new BosunError('SIGN_KEY_UNSUPPORTED', `${what}: key type ${desc} is not supported`);
}
