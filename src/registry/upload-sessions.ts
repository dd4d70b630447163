import { createHash, randomBytes, type Hash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BosunError, isBosunError } from '../errors.js';
import { algorithmOf, type Digest } from '../oci/digest.js';
import type { BlobStore } from './blob-store/blob-store.js';
import { blobKey } from './blob-store/paths.js';
import { contentGuard } from './lifecycle/content-guard.js';
import { clientAbortAsUploadInvalid, putVerified } from './blob-writer.js';
import type { MetaStore, UploadRecord } from './meta-store/meta-store.js';
import type { UploadSpool } from './upload-spool.js';

/** A chunk's position as a PATCH or PUT declares it (`Content-Range: <start>-<end>`), inclusive. */
export interface ChunkRange {
  start: number;
  end: number;
}

/** What a request carries for a session: the body, and its declared range and length. */
export interface ChunkInput {
  body: Readable;
  range?: ChunkRange;
  length?: number;
}

// The running sha256 of a session's bytes, kept while this process saw every byte, so that
// finishing does not re-read the file; after a restart the file is hashed again instead.
interface HashState {
  hash: Hash;
  size: number;
}

/**
 * Upload sessions (POST / PATCH / PUT / GET / DELETE on /blobs/uploads/): bytes go to the
 * spool, metadata to the MetaStore, and a finished upload becomes a verified blob.
 * One request at a time per session; a concurrent one fails with BLOB_UPLOAD_INVALID.
 */
export class UploadSessions {
  private readonly hashes = new Map<string, HashState>();
  private readonly busy = new Set<string>();

  constructor(
    private readonly meta: MetaStore,
    private readonly blobs: BlobStore,
    private readonly spool: UploadSpool,
  ) {}

  async start(repo: string): Promise<UploadRecord> {
    const record: UploadRecord = { id: randomBytes(16).toString('hex'), repo, size: 0, updatedAt: Date.now() };
    // No spool file yet: the first appended bytes create it, and a blob sent whole with the
    // final PUT (the common monolithic push) never needs one, which saves a file creation and
    // removal per blob.
    await this.meta.createUpload(record);
    this.hashes.set(record.id, { hash: createHash('sha256'), size: 0 });
    return record;
  }

  /**
   * The session, which must belong to `repo` and whose bytes this process's spool must hold;
   * throws BLOB_UPLOAD_UNKNOWN. With replicas sharing one MetaStore, a session that received
   * bytes on another replica (whose local spool has them) is unknown here: the client starts
   * over, never appends to a wrong offset. A session with no bytes yet may move.
   */
  async get(repo: string, id: string): Promise<UploadRecord> {
    const u = await this.meta.getUpload(id);
    if (!u || u.repo !== repo) throw new BosunError('REGISTRY_SERVE_BLOB_UPLOAD_UNKNOWN', `no upload session "${id}" in "${repo}"`);
    if (this.busy.has(id)) return u;
    const held = await this.spool.size(id);
    if (held !== u.size && !(held === undefined && u.size === 0)) {
      throw new BosunError('REGISTRY_SERVE_BLOB_UPLOAD_UNKNOWN', `upload session "${id}" holds ${u.size} bytes on another registry replica, ${held ?? 0} here`);
    }
    // Still empty (perhaps started on another replica): it continues here, and its first
    // bytes create a spool file of our own.
    return u;
  }

  /** Appends a chunk; throws RANGE_INVALID when it does not start where the session ends. */
  async append(u: UploadRecord, input: ChunkInput): Promise<UploadRecord> {
    return this.exclusive(u.id, () => this.appendLocked(u, input));
  }

  private async appendLocked(u: UploadRecord, input: ChunkInput): Promise<UploadRecord> {
    const { range, length } = input;
    if (range && range.start !== u.size) {
      throw new BosunError('REGISTRY_SERVE_RANGE_INVALID', `chunk starts at ${range.start}, but the session holds ${u.size} bytes`);
    }
    const want = range ? range.end - range.start + 1 : length;
    if (range && length !== undefined && length !== want) {
      throw new BosunError('REGISTRY_SERVE_SIZE_INVALID', `Content-Length ${length} does not match Content-Range ${range.start}-${range.end}`);
    }
    const state = this.hashes.get(u.id);
    const hash = state && state.size === u.size ? state.hash : undefined;
    let seen = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        seen += chunk.length;
        hash?.update(chunk);
        cb(null, chunk);
      },
    });
    try {
      await pipeline(input.body, tap, this.spool.appender(u.id));
      if (want !== undefined && seen !== want) {
        throw new BosunError('REGISTRY_SERVE_SIZE_INVALID', `chunk of ${seen} bytes, declared ${want}`);
      }
    } catch (err) {
      this.hashes.delete(u.id);
      await this.spool.truncate(u.id, u.size);
      throw clientAbortAsUploadInvalid(err);
    }
    const next = { ...u, size: u.size + seen, updatedAt: Date.now() };
    await this.meta.setUploadSize(u.id, next.size, next.updatedAt);
    if (hash) this.hashes.set(u.id, { hash, size: next.size });
    return next;
  }

  /**
   * Finishes a session as blob `digest`, after appending the final chunk if there is one.
   * Throws DIGEST_INVALID (the session is then cancelled) when the bytes do not hash to it.
   * Returns the blob's size. From the content check to the link, GC cannot sweep the digest.
   */
  async finish(u: UploadRecord, digest: Digest, last?: ChunkInput): Promise<number> {
    return contentGuard(this.blobs).use(digest, () => this.finishGuarded(u, digest, last));
  }

  private async finishGuarded(u: UploadRecord, digest: Digest, last?: ChunkInput): Promise<number> {
    let size: number;
    try {
      if (last && u.size === 0 && (!last.range || last.range.start === 0)) {
        // The whole blob in this request: stream it straight to the store, no spool copy.
        size = await this.exclusive(u.id, () => putVerified(this.blobs, digest, last.body, last.length));
      } else {
        const done = last ? await this.append(u, last) : u;
        size = await this.exclusive(u.id, () => this.commit(done, digest));
      }
    } catch (err) {
      // A digest that does not check out ends the session, as distribution does.
      if (isBosunError(err, 'OCI_DIGEST_MISMATCH', 'OCI_SIZE_MISMATCH', 'REGISTRY_SERVE_DIGEST_INVALID')) await this.cancel(u.id);
      throw err;
    }
    await this.meta.linkBlob(u.repo, digest, size);
    await this.cancel(u.id);
    return size;
  }

  private async commit(u: UploadRecord, digest: Digest): Promise<number> {
    const state = this.hashes.get(u.id);
    if (state && state.size === u.size && algorithmOf(digest) === 'sha256') {
      const got = `sha256:${state.hash.copy().digest('hex')}`;
      if (got !== digest) throw new BosunError('REGISTRY_SERVE_DIGEST_INVALID', `uploaded content hashes to ${got}, not ${digest}`);
      // Every byte was hashed on its way into the spool file: move the file into the store
      // rather than reading, hashing and writing it all again.
      if (this.blobs.adopt && u.size > 0) {
        await this.blobs.adopt(blobKey(digest), this.spool.file(u.id));
        return u.size;
      }
    }
    const bytes = u.size === 0 ? Readable.from([]) : this.spool.reader(u.id);
    return putVerified(this.blobs, digest, bytes, u.size);
  }

  async cancel(id: string): Promise<void> {
    this.hashes.delete(id);
    await this.meta.deleteUpload(id);
    await this.spool.remove(id);
  }

  /** Removes sessions (and orphan spool files) untouched for `maxAgeMs`; returns how many. */
  async cleanStale(maxAgeMs: number): Promise<number> {
    const before = Date.now() - maxAgeMs;
    let removed = 0;
    for (;;) {
      const batch = await this.meta.staleUploads(before, 500);
      for (const u of batch) await this.cancel(u.id);
      removed += batch.length;
      if (batch.length < 500) break;
    }
    const live = new Set(await this.meta.listUploadIds());
    for (const id of await this.spool.olderThan(before)) {
      if (live.has(id)) continue;
      await this.spool.remove(id);
      removed++;
    }
    return removed;
  }

  private async exclusive<T>(id: string, fn: () => Promise<T>): Promise<T> {
    if (this.busy.has(id)) {
      throw new BosunError('REGISTRY_SERVE_BLOB_UPLOAD_INVALID', `upload session "${id}" is busy with another request`);
    }
    this.busy.add(id);
    try {
      return await fn();
    } finally {
      this.busy.delete(id);
    }
  }
}
