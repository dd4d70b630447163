import { createHash, createSign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { BUNDLE_V03_MEDIA_TYPE } from '@sigstore/bundle';
import type { Bundle } from '@sigstore/bundle';
import { HashAlgorithm } from '@sigstore/protobuf-specs';
import { BosunError } from '../errors.js';
import { hashFor, signData } from './algorithms.js';
import { serializeBundle } from './bundle.js';
import { pae } from './dsse.js';
import { IN_TOTO_PAYLOAD_TYPE } from './intoto.js';
import type { Statement } from './intoto.js';
import { writeAtomic } from './write-file.js';
import { loadPrivateKey } from './keys/load.js';
import type { PasswordSource } from './keys/password.js';
import { createKeylessSigner, hasKeylessFlags } from './keyless/create.js';
import type { KeylessFlags } from './keyless/create.js';
import { signLimits } from './limits.js';
import { readFileCapped } from './read-file.js';

/**
 * The key hint bosun writes into key-based bundles: base64 SHA-256 of the PKIX DER public key.
 * Verifiers ignore it (the user names the key), it only helps pick a key from a set.
 */
export function keyHint(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ format: 'der', type: 'spki' })).digest('base64');
}

function keyMaterial(publicKey: KeyObject): Bundle['verificationMaterial'] {
  return {
    content: { $case: 'publicKey', publicKey: { hint: keyHint(publicKey) } },
    tlogEntries: [],
    timestampVerificationData: { rfc3161Timestamps: [] },
  };
}

/** Hashes and signs a file in one streaming pass (Ed25519 reads it whole, capped). */
async function signFile(path: string, key: KeyObject): Promise<{ digest: Buffer; algorithm: HashAlgorithm; signature: Buffer }> {
  const hash = hashFor(key);
  if (hash === null) {
    const bytes = await readFileCapped(path, signLimits.artifactBytes, 'artifact');
    return { digest: createHash('sha256').update(bytes).digest(), algorithm: HashAlgorithm.SHA2_256, signature: signData(key, bytes) };
  }
  const hasher = createHash(hash);
  const signer = createSign(hash);
  try {
    for await (const chunk of createReadStream(path)) {
      hasher.update(chunk as Buffer);
      signer.update(chunk as Buffer);
    }
  } catch (err) {
    throw new BosunError('IO_FAILED', `cannot read artifact '${path}'`, { cause: err });
  }
  return { digest: hasher.digest(), algorithm: hash === 'sha384' ? HashAlgorithm.SHA2_384 : HashAlgorithm.SHA2_256, signature: signer.sign(key) };
}

/**
 * Signs a file with a private key and returns a v0.3 Sigstore bundle (message signature,
 * public-key hint, no transparency-log entry: signing here is offline, like cosign
 * `sign-blob --tlog-upload=false`).
 */
export async function signBlobWithKey(path: string, key: KeyObject, publicKey: KeyObject): Promise<Bundle> {
  const { digest, algorithm, signature } = await signFile(path, key);
  return {
    mediaType: BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: keyMaterial(publicKey),
    content: { $case: 'messageSignature', messageSignature: { messageDigest: { algorithm, digest }, signature } },
  };
}

/** Signs an in-toto statement as a DSSE v0.3 bundle with a private key (offline, no tlog entry). */
export function signStatementWithKey(statement: Statement, key: KeyObject, publicKey: KeyObject): Bundle {
  const payload = Buffer.from(JSON.stringify(statement), 'utf8');
  const sig = signData(key, pae(IN_TOTO_PAYLOAD_TYPE, payload));
  return {
    mediaType: BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: keyMaterial(publicKey),
    content: { $case: 'dsseEnvelope', dsseEnvelope: { payloadType: IN_TOTO_PAYLOAD_TYPE, payload, signatures: [{ keyid: '', sig }] } },
  };
}

/** Options for `signBlob`: `key` for key signing, else the keyless flags. */
export interface SignBlobOptions extends KeylessFlags {
  /** Private key: a file path or `env://VAR`. */
  readonly key?: string;
  readonly password: PasswordSource;
  /** Where to write the bundle (atomically); omit to only return it. */
  readonly bundlePath?: string;
  readonly env?: NodeJS.ProcessEnv;
}

async function signKeyless(file: string, opts: SignBlobOptions): Promise<Bundle> {
  const signer = await createKeylessSigner(opts);
  return signer.signMessage(await readFileCapped(file, signLimits.artifactBytes, 'artifact'));
}

/**
 * `bosun sign-blob [--key K | keyless flags] [--bundle B] FILE`. With a key (cosign format or
 * PKCS#8) the bundle is offline; keyless it has a Fulcio certificate and a Rekor entry (the
 * file is read whole, up to `signLimits.artifactBytes`). Writes the bundle JSON atomically when
 * `bundlePath` is set. Returns the bundle and its JSON text. Throws INPUT_INVALID, the key
 * codes, and the SIGN_KEYLESS_* codes.
 */
export async function signBlob(file: string, opts: SignBlobOptions): Promise<{ bundle: Bundle; json: string }> {
  let bundle: Bundle;
  if (opts.key === undefined) {
    bundle = await signKeyless(file, opts);
  } else {
    if (hasKeylessFlags(opts)) throw new BosunError('INPUT_INVALID', '--key excludes --identity-token, --fulcio-url, --rekor-url and --timestamp-server-url');
    const { privateKey, publicKey } = await loadPrivateKey(opts.key, { password: opts.password, ...(opts.env ? { env: opts.env } : {}) });
    bundle = await signBlobWithKey(file, privateKey, publicKey);
  }
  const json = serializeBundle(bundle);
  if (opts.bundlePath) await writeAtomic(opts.bundlePath, json);
  return { bundle, json };
}
