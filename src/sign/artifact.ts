import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { BosunError } from '../errors.js';
import { signLimits } from './limits.js';
import { readFileCapped } from './read-file.js';

/** What was signed: a local file, bytes already in memory (a cosign payload), or only its SHA-256 digest. */
export type ArtifactInput =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'bytes'; readonly bytes: Buffer }
  | { readonly kind: 'digest'; readonly sha256: Buffer };

/** An artifact's digests, and its bytes when a key type needs them (Ed25519, RSA). */
export interface ArtifactDigests {
  readonly sha256: Buffer;
  readonly sha384?: Buffer;
  readonly sha512?: Buffer;
  readonly bytes?: Buffer;
}

const DIGEST_ARG = /^sha256:([0-9a-f]{64})$/;

/**
 * Interprets a FILE_OR_DIGEST argument as the sigstore-conformance protocol says: `sha256:`
 * followed by 64 lowercase hex that is not an existing path is a digest; anything else a path.
 */
export async function parseArtifactArg(arg: string): Promise<ArtifactInput> {
  const m = DIGEST_ARG.exec(arg);
  if (m?.[1] !== undefined) {
    const isPath = await stat(arg).then(
      () => true,
      () => false,
    );
    if (!isPath) return { kind: 'digest', sha256: Buffer.from(m[1], 'hex') };
  }
  return { kind: 'file', path: arg };
}

/**
 * Hashes an artifact in one streaming pass (SHA-256, SHA-384, SHA-512). With `needBytes` the
 * file is also kept in memory, capped at `signLimits.artifactBytes`. A digest input yields only
 * its SHA-256; asking it for bytes throws SIGN_KEY_UNSUPPORTED (the caller's key type cannot
 * verify a pre-hashed digest).
 */
export async function digestArtifact(input: ArtifactInput, needBytes: boolean): Promise<ArtifactDigests> {
  if (input.kind === 'digest') {
    if (needBytes) throw new BosunError('SIGN_KEY_UNSUPPORTED', 'this key type signs whole messages; verify against the artifact file, not its digest');
    return { sha256: input.sha256 };
  }
  if (input.kind === 'bytes') return { ...hashAll([input.bytes]), bytes: input.bytes };
  if (needBytes) {
    const bytes = await readFileCapped(input.path, signLimits.artifactBytes, 'artifact');
    return { ...hashAll([bytes]), bytes };
  }
  const hashes = ['sha256', 'sha384', 'sha512'].map((a) => createHash(a));
  try {
    for await (const chunk of createReadStream(input.path)) for (const h of hashes) h.update(chunk as Buffer);
  } catch (err) {
    throw new BosunError('IO_FAILED', `cannot read artifact '${input.path}'`, { cause: err });
  }
  const [sha256, sha384, sha512] = hashes.map((h) => h.digest()) as [Buffer, Buffer, Buffer];
  return { sha256, sha384, sha512 };
}

function hashAll(chunks: readonly Buffer[]): { sha256: Buffer; sha384: Buffer; sha512: Buffer } {
  const d = (alg: string): Buffer => {
    const h = createHash(alg);
    for (const c of chunks) h.update(c);
    return h.digest();
  };
  return { sha256: d('sha256'), sha384: d('sha384'), sha512: d('sha512') };
}
