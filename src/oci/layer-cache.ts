import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContentStore, Content } from './content-store.js';
import { algorithmOf, hexOf, type Digest } from './digest.js';
import { contentSize, encodeHead, readRecord, type OpenRecord, type RecordedContent, type RecordedEntry } from './layer-record.js';

/** One layer's changeset as read from its tar stream, ready to be written. */
export interface LayerRecording {
  diffId: Digest;
  key: string;
  entries: RecordedEntry[];
  /** Contents referenced by `entries[i][5]`, held by the squash's content store. */
  captured: Content[];
}

/*
 * Layout (inside the cache directory shared with the blob cache; safe for several bosun
 * processes at once: a record appears only by rename, complete and hashed, and a reader
 * verifies the hash before believing a byte):
 *
 *   <cacheDir>/
 *     layers/
 *       sha256-<diffID hex>-<key>   one layer's record for one glob set (layer-record.ts)
 *       .tmp-<random>               being written; renamed into place or deleted
 */

/**
 * Bumped whenever what a record means changes (entry fields, capture rules, `applyEntry`
 * semantics that depend on recorded data), so old records are never read as new ones.
 */
export const squashFormatVersion = 1;

/** Default bound on one record file; a layer whose record would be larger is not cached. */
export const defaultMaxRecordBytes = 256 * 1024 * 1024;

export interface LayerCacheOptions {
  /** Largest record written or read, in bytes (default 256 MiB). */
  maxRecordBytes?: number;
}

/**
 * Per-layer squash results on local disk, keyed by the layer's diffID, the glob set, the
 * per-file capture cap and `squashFormatVersion`. Cache failures never fail a squash: a record
 * that cannot be written is skipped, one that cannot be read or verified is a miss.
 */
export class LayerCache {
  readonly dir: string;
  readonly maxRecordBytes: number;

  /** `cacheDir` is the bosun cache directory (`defaultCacheDir()`); records go in `layers/`. */
  constructor(cacheDir: string, opts: LayerCacheOptions = {}) {
    this.dir = join(cacheDir, 'layers');
    this.maxRecordBytes = opts.maxRecordBytes ?? defaultMaxRecordBytes;
  }

  /** The key of a squash configuration: sha256 hex of the format version, sorted globs and cap. */
  static keyOf(globs: readonly string[], maxFileBytes: number): string {
    const canonical = JSON.stringify({ format: squashFormatVersion, globs: [...new Set(globs)].sort(), maxFileBytes });
    return createHash('sha256').update(canonical).digest('hex');
  }

  /** Where a record lives; built only from a validated digest and a hex key. */
  pathOf(diffId: Digest, key: string): string {
    return join(this.dir, `${algorithmOf(diffId)}-${hexOf(diffId)}-${key}`);
  }

  /** A verified record, or undefined (absent, unreadable, corrupt or foreign). The caller owns `handle`. */
  async get(diffId: Digest, key: string): Promise<OpenRecord | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(this.pathOf(diffId, key), 'r');
    } catch {
      return undefined;
    }
    const rec = await readRecord(handle, { diffId, key, maxBytes: this.maxRecordBytes }).catch(() => undefined);
    if (!rec) await handle.close().catch(() => undefined);
    return rec;
  }

  /**
   * Writes a layer's record, reading each captured file from `store`. Returns false when the
   * record would pass `maxRecordBytes` or the write failed; a partial file is never visible.
   */
  async put(rec: LayerRecording, store: ContentStore): Promise<boolean> {
    const { captured } = rec;
    let offset = 0;
    const contents = captured.map((c): RecordedContent => {
      if (c.state === 'missing') return [c.code, c.reason];
      offset += contentSize(c);
      return [offset - contentSize(c), contentSize(c)];
    });
    const head = encodeHead({ diffId: rec.diffId, key: rec.key, entries: rec.entries, contents });
    const total = head.length + captured.reduce((n, c) => n + contentSize(c), 0) + 32;
    if (total > this.maxRecordBytes) return false;
    const tmp = join(this.dir, `.tmp-${randomBytes(8).toString('hex')}`);
    try {
      await mkdir(this.dir, { recursive: true });
      const fh = await open(tmp, 'wx', 0o600);
      try {
        const hash = createHash('sha256');
        const write = async (b: Buffer) => {
          hash.update(b);
          await fh.write(b);
        };
        await write(head);
        for (const c of captured) {
          if (c.state === 'missing') continue;
          for await (const chunk of store.open(c)) await write(chunk as Buffer);
        }
        await fh.write(hash.digest());
      } finally {
        await fh.close();
      }
      await rename(tmp, this.pathOf(rec.diffId, rec.key));
      return true;
    } catch {
      await unlink(tmp).catch(() => undefined);
      return false;
    }
  }

  /** Deletes every record and in-flight file. Safe while other processes read (they hold handles). */
  async clean(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
