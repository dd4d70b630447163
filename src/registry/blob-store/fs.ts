import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BosunError, isBosunError } from '../../errors.js';
import type { BlobReader, BlobStore, ByteRange } from './blob-store.js';
import { checkStoreKey, checkStorePrefix } from './paths.js';

const tmpDir = '_tmp';

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

function storeFailed(what: string, err: unknown): BosunError {
  return new BosunError('REGISTRY_SERVE_STORE_FAILED', `blob store: ${what}`, { cause: err });
}

/**
 * A BlobStore on a local directory (layout in `paths.ts`). Puts stream into `_tmp/`, fsync
 * the file, rename it into place and fsync the directory, so a crash at any point leaves
 * either no value or the whole value under the key.
 */
export class FsBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  /** Creates the root and removes temp files older than `staleMs` (left by a crash). */
  async open(staleMs = 0): Promise<this> {
    await mkdir(join(this.root, tmpDir), { recursive: true });
    const cutoff = Date.now() - staleMs;
    for (const name of await readdir(join(this.root, tmpDir))) {
      const p = join(this.root, tmpDir, name);
      const st = await stat(p).catch(() => undefined);
      if (st && st.mtimeMs <= cutoff) await rm(p, { force: true });
    }
    return this;
  }

  private pathOf(key: string): string {
    return join(this.root, ...checkStoreKey(key).split('/'));
  }

  async stat(key: string): Promise<{ size: number } | undefined> {
    const path = this.pathOf(key);
    try {
      const st = await stat(path);
      return st.isFile() ? { size: st.size } : undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw storeFailed(`stat "${key}"`, err);
    }
  }

  async lastModified(key: string): Promise<number | undefined> {
    const path = this.pathOf(key);
    try {
      return (await stat(path)).mtimeMs;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw storeFailed(`stat "${key}"`, err);
    }
  }

  private async openFile(key: string): Promise<FileHandle> {
    const path = this.pathOf(key);
    try {
      return await open(path, 'r');
    } catch (err) {
      if (isNotFound(err)) throw new BosunError('REGISTRY_SERVE_BLOB_UNKNOWN', `no blob at "${key}"`);
      throw storeFailed(`open "${key}"`, err);
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const fh = await this.openFile(key);
    // The stream owns the handle and closes it on end or destroy. 1 MiB reads: layer GETs
    // are bound by per-chunk overhead at the default 64 KiB.
    return fh.createReadStream({ highWaterMark: 1 << 20, ...(range ? { start: range.start, end: range.end } : {}) });
  }

  /** The open handle pins the file: a later rename over the key or a delete does not affect it. */
  async openReader(key: string): Promise<BlobReader> {
    const fh = await this.openFile(key);
    let size;
    try {
      size = (await fh.stat()).size;
    } catch (err) {
      await fh.close();
      throw storeFailed(`stat "${key}"`, err);
    }
    return {
      size,
      read: async (into, length, position) => {
        try {
          return (await fh.read(into, 0, length, position)).bytesRead;
        } catch (err) {
          throw storeFailed(`read "${key}"`, err);
        }
      },
      close: () => fh.close(),
    };
  }

  async put(key: string, body: Readable): Promise<void> {
    const dest = this.pathOf(key);
    const tmp = join(this.root, tmpDir, randomBytes(16).toString('hex'));
    try {
      // flush: fsync before close, so the rename below never publishes unwritten data.
      await pipeline(body, createWriteStream(tmp, { flush: true }));
      await mkdir(join(dest, '..'), { recursive: true });
      await rename(tmp, dest);
      await syncDir(join(dest, '..'));
    } catch (err) {
      await rm(tmp, { force: true });
      if (isBosunError(err)) throw err;
      throw storeFailed(`put "${key}"`, err);
    }
  }

  /**
   * Renames `path` into place (fsync file, rename, fsync directory); across file systems
   * (EXDEV) it falls back to `put`, a copy. The file's times are set to now first: garbage
   * collection's grace period counts from when the value was stored, not last written.
   */
  async adopt(key: string, path: string): Promise<void> {
    const dest = this.pathOf(key);
    try {
      const fh = await open(path, 'r');
      try {
        const now = new Date();
        await fh.utimes(now, now);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await mkdir(join(dest, '..'), { recursive: true });
      await rename(path, dest);
      await syncDir(join(dest, '..'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EXDEV') return this.put(key, createReadStream(path));
      throw storeFailed(`adopt "${key}"`, err);
    }
  }

  async *list(prefix: string): AsyncIterable<string> {
    checkStorePrefix(prefix);
    const slash = prefix.lastIndexOf('/');
    const dir = slash < 0 ? '' : prefix.slice(0, slash);
    for await (const key of this.walk(dir)) if (key.startsWith(prefix)) yield key;
  }

  private async *walk(dir: string): AsyncIterable<string> {
    let entries;
    try {
      entries = await readdir(dir === '' ? this.root : join(this.root, ...dir.split('/')), { withFileTypes: true });
    } catch (err) {
      if (isNotFound(err)) return;
      throw storeFailed(`list "${dir}"`, err);
    }
    for (const e of entries) {
      if (dir === '' && e.name === tmpDir) continue;
      const key = dir === '' ? e.name : `${dir}/${e.name}`;
      if (e.isDirectory()) yield* this.walk(key);
      else if (e.isFile()) yield key;
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    try {
      await rm(path, { force: true });
    } catch (err) {
      throw storeFailed(`delete "${key}"`, err);
    }
  }
}

/** fsync a directory so a rename in it survives a crash. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
