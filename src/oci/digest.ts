import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { BosunError } from '../errors.js';

/** A content digest, `algorithm:hex`. Only sha256 and sha512 are accepted. */
export type Digest = `sha256:${string}` | `sha512:${string}`;

export type DigestAlgorithm = 'sha256' | 'sha512';

const hexLength: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 };

// spec: image-spec descriptor.md, digests (registered algorithms, lowercase hex encoding)
const digestPattern = /^(sha256|sha512):([a-f0-9]+)$/;

/** Parses and validates a digest string; throws OCI_DIGEST_INVALID. */
export function parseDigest(s: string): Digest {
  const m = digestPattern.exec(s);
  if (!m || m[2]!.length !== hexLength[m[1] as DigestAlgorithm]) {
    throw new BosunError('OCI_DIGEST_INVALID', `invalid digest "${s.slice(0, 140)}"`);
  }
  return s as Digest;
}

export function isDigest(s: string): s is Digest {
  const m = digestPattern.exec(s);
  return m !== null && m[2]!.length === hexLength[m[1] as DigestAlgorithm];
}

export function algorithmOf(d: Digest): DigestAlgorithm {
  return d.slice(0, d.indexOf(':')) as DigestAlgorithm;
}

export function hexOf(d: Digest): string {
  return d.slice(d.indexOf(':') + 1);
}

/** The digest of bytes held in memory. */
export function digestOf(data: Uint8Array | string, algorithm: DigestAlgorithm = 'sha256'): Digest {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}` as Digest;
}

/** Throws OCI_DIGEST_MISMATCH unless `data` hashes to `want`. */
export function verifyBytes(data: Uint8Array, want: Digest, what: string): void {
  const got = digestOf(data, algorithmOf(want));
  if (got !== want) {
    throw new BosunError('OCI_DIGEST_MISMATCH', `${what}: content hashes to ${got}, expected ${want}`);
  }
}

/**
 * A pass-through stream that hashes what flows through it and, at the end, fails with
 * OCI_DIGEST_MISMATCH (or OCI_SIZE_MISMATCH) if the content is not what was asked for.
 * A consumer therefore never sees a clean end of stream for substituted or truncated content.
 */
export class VerifyingStream extends Transform {
  private readonly hash: Hash;
  private seen = 0;

  constructor(
    private readonly want: Digest,
    private readonly what: string,
    private readonly wantSize?: number,
  ) {
    super();
    this.hash = createHash(algorithmOf(want));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.seen += chunk.length;
    if (this.wantSize !== undefined && this.seen > this.wantSize) {
      cb(new BosunError('OCI_SIZE_MISMATCH', `${this.what}: more than the declared ${this.wantSize} bytes`));
      return;
    }
    this.hash.update(chunk);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    if (this.wantSize !== undefined && this.seen !== this.wantSize) {
      cb(new BosunError('OCI_SIZE_MISMATCH', `${this.what}: ${this.seen} bytes, declared ${this.wantSize}`));
      return;
    }
    const got = `${algorithmOf(this.want)}:${this.hash.digest('hex')}`;
    if (got !== this.want) {
      cb(new BosunError('OCI_DIGEST_MISMATCH', `${this.what}: content hashes to ${got}, expected ${this.want}`));
      return;
    }
    cb();
  }
}
