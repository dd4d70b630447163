import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { BosunError } from '../errors.js';
import { algorithmOf, hexOf, type Digest } from './digest.js';
import type { Descriptor, ImageCore } from './types.js';
import { pipeThrough } from './pipe-through.js';

/*
 * Layout of a cache directory (safe for several bosun processes at once: entries appear only
 * by rename, after their digest checked out, so a reader never sees a partial blob):
 *
 *   <cacheDir>/
 *     blobs/
 *       sha256/<hex>       verified blob content, immutable
 *       sha512/<hex>
 *     tmp/<random>         in-flight downloads; renamed into blobs/ or deleted
 */

/** The default cache directory: $BOSUN_CACHE_DIR, else $XDG_CACHE_HOME/bosun, else ~/.cache/bosun. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BOSUN_CACHE_DIR) return env.BOSUN_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'bosun');
}

/** A content-addressed store of verified blobs on local disk. */
export class BlobCache {
  constructor(readonly dir: string) {}

  /** Where a blob lives; built only from a validated digest, so it cannot escape the cache. */
  pathOf(digest: Digest): string {
    return join(this.dir, 'blobs', algorithmOf(digest), hexOf(digest));
  }

  /** A stream of a cached blob, or undefined when it is not cached (or its size is wrong). */
  async open(desc: Descriptor): Promise<Readable | undefined> {
    const path = this.pathOf(desc.digest);
    try {
      const st = await stat(path);
      if (st.size !== desc.size) return undefined;
    } catch {
      return undefined;
    }
    return createReadStream(path, { highWaterMark: 256 * 1024 });
  }

  /**
   * Wraps `source` so that, as the caller reads it, its bytes are also written to the cache.
   * The entry is published only when the stream ended and hashed to `desc.digest` with the
   * declared size; otherwise the temporary file is deleted. Cache write failures never fail
   * the read: the content still flows, it just is not cached.
   */
  async tee(desc: Descriptor, source: Readable): Promise<Readable> {
    const tmpDir = join(this.dir, 'tmp');
    try {
      await mkdir(tmpDir, { recursive: true });
      await mkdir(join(this.dir, 'blobs', algorithmOf(desc.digest)), { recursive: true });
    } catch (err) {
      throw new BosunError('CACHE_FAILED', `cannot create cache directory "${this.dir}"`, { cause: err });
    }
    const tmp = join(tmpDir, `${hexOf(desc.digest).slice(0, 16)}-${randomBytes(8).toString('hex')}`);
    return pipeThrough(source, new CacheWriter(desc, tmp, this.pathOf(desc.digest)));
  }

  /** Deletes every cached blob and in-flight file. Safe while other processes read. */
  async clean(): Promise<void> {
    await rm(join(this.dir, 'blobs'), { recursive: true, force: true });
    await rm(join(this.dir, 'tmp'), { recursive: true, force: true });
  }
}

class CacheWriter extends Transform {
  private readonly hash: Hash;
  private readonly file: WriteStream;
  private size = 0;
  private failed = false;

  constructor(
    private readonly desc: Descriptor,
    private readonly tmp: string,
    private readonly final: string,
  ) {
    super({ highWaterMark: 256 * 1024 });
    this.hash = createHash(algorithmOf(desc.digest));
    this.file = createWriteStream(tmp);
    this.file.on('error', () => {
      this.failed = true;
    });
    this.on('close', () => {
      if (!this.writableFinished) this.discard();
    });
  }

  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.size += chunk.length;
    this.hash.update(chunk);
    if (this.failed || this.file.write(chunk)) {
      cb(null, chunk);
      return;
    }
    // Wait for the disk, but never hang on a failed cache file: the content must still flow.
    const resume = () => {
      this.file.off('drain', resume).off('error', resume);
      cb(null, chunk);
    };
    this.file.on('drain', resume).on('error', resume);
  }

  override _flush(cb: TransformCallback): void {
    this.file.end(() => {
      const ok = !this.failed && this.size === this.desc.size && `${algorithmOf(this.desc.digest)}:${this.hash.digest('hex')}` === this.desc.digest;
      if (!ok) {
        this.discard();
        cb();
        return;
      }
      rename(this.tmp, this.final).then(() => cb(), () => {
        this.discard();
        cb();
      });
    });
  }

  private discard(): void {
    this.file.destroy();
    unlink(this.tmp).catch(() => undefined);
  }
}

/**
 * Decorates an image source so blobs are served from the cache when present and written to it
 * when fetched. Manifests are not cached (tags move); `fromCore` still verifies every blob.
 */
export function withBlobCache(core: ImageCore, cache: BlobCache): ImageCore {
  return {
    rawManifest: () => core.rawManifest(),
    ...(core.manifestDigest ? { manifestDigest: () => core.manifestDigest!() } : {}),
    openBlob: async (desc, signal) => (await cache.open(desc)) ?? cache.tee(desc, await core.openBlob(desc, signal)),
  };
}
