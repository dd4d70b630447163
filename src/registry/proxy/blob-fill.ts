import { createHash, type Hash } from 'node:crypto';
import { PassThrough, Transform, type Readable, type TransformCallback } from 'node:stream';
import { BosunError } from '../../errors.js';
import { algorithmOf, type Digest } from '../../oci/digest.js';
import { blobKey } from '../blob-store/paths.js';
import type { RegistryContext } from '../context.js';
import type { Upstream } from './upstream.js';
import { contentGuard } from '../lifecycle/content-guard.js';

/**
 * Hashes bytes as they pass and holds back the most recent chunk until the end: only when
 * the whole body hashes to `want` (and has the expected size) does the last chunk go out.
 * A reader therefore never receives a complete body that failed verification; it sees the
 * stream fail (REGISTRY_PROXY_UPSTREAM_INVALID) instead.
 */
export class HoldbackVerifier extends Transform {
  readonly #hash: Hash;
  #held: Buffer | undefined;
  seen = 0;

  constructor(
    private readonly want: Digest,
    private readonly what: string,
    private readonly limits: { maxBytes: number; size?: number },
  ) {
    super();
    this.#hash = createHash(algorithmOf(want));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.seen += chunk.length;
    const cap = Math.min(this.limits.size ?? Infinity, this.limits.maxBytes);
    if (this.seen > cap) {
      cb(new BosunError('REGISTRY_PROXY_UPSTREAM_INVALID', `${this.what}: more than ${cap} bytes`));
      return;
    }
    this.#hash.update(chunk);
    if (this.#held) this.push(this.#held);
    this.#held = chunk;
    cb();
  }

  override _flush(cb: TransformCallback): void {
    if (this.limits.size !== undefined && this.seen !== this.limits.size) {
      cb(new BosunError('REGISTRY_PROXY_UPSTREAM_INVALID', `${this.what}: ${this.seen} bytes, upstream declared ${this.limits.size}`));
      return;
    }
    const got = `${algorithmOf(this.want)}:${this.#hash.digest('hex')}`;
    if (got !== this.want) {
      cb(new BosunError('REGISTRY_PROXY_UPSTREAM_INVALID', `${this.what}: upstream content hashes to ${got}`));
      return;
    }
    if (this.#held) this.push(this.#held);
    cb();
  }
}

/** A blob being copied from upstream into the store while one client reads along. */
export interface BlobFill {
  /** The bytes for the client that started the fill; it fails (destroyed) on a mismatch. */
  stream: Readable;
  /** The upstream's Content-Length, when sent. */
  size: number | undefined;
  /** Resolves once the blob is stored and linked to the repository; rejects when nothing was. */
  done: Promise<void>;
}

/**
 * Fetches `digest` from upstream and tees it, verified, into the blob store and a stream for
 * the client. The store copy is written to a temp file and published only when the digest
 * checks out (the BlobStore `put` contract), then linked to `repo`. The client leaving does
 * not stop the fill: the store side keeps reading, so waiters still get the blob.
 */
export async function startFill(ctx: RegistryContext, upstream: Upstream, repo: string, digest: Digest): Promise<BlobFill> {
  const blob = await upstream.getBlob(repo, digest);
  const what = `blob ${digest} from upstream of "${repo}"`;
  const verify = new HoldbackVerifier(digest, what, { maxBytes: upstream.entry.maxBlobBytes, ...(blob.size !== undefined ? { size: blob.size } : {}) });
  const toStore = new PassThrough();
  const toClient = new PassThrough();
  // Fastify listens for the client side's errors once it sends it; until then, and after a
  // client hang-up, an error there must not be an unhandled 'error' event.
  toClient.on('error', () => undefined);
  blob.body.on('error', (err) => verify.destroy(err));
  verify.on('error', (err) => {
    toStore.destroy(err);
    toClient.destroy(err);
  });
  blob.body.pipe(verify);
  verify.pipe(toStore);
  verify.pipe(toClient);
  const done = (async () => {
    try {
      // Held against a GC sweep until linked, as uploads are (lifecycle/content-guard.ts).
      await contentGuard(ctx.blobs).use(digest, async () => {
        await ctx.blobs.put(blobKey(digest), toStore);
        await ctx.meta.linkBlob(repo, digest, verify.seen);
      });
    } finally {
      blob.release();
    }
  })();
  return { stream: toClient, size: blob.size, done };
}
