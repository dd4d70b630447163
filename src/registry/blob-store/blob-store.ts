import type { Readable } from 'node:stream';

/** An inclusive byte range, `start <= end < size` (as HTTP Range writes it). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Positional reads of one stored value, opened by `BlobStore.openReader`. The value read is
 * the one present at open time, even if the key is overwritten or deleted meanwhile.
 */
export interface BlobReader {
  /** The value's size in bytes. */
  readonly size: number;
  /**
   * Reads up to `length` bytes at `position` into the start of `into`; resolves with the
   * number read, 0 only at or past the end of the value.
   */
  read(into: Buffer, length: number, position: number): Promise<number>;
  /** Releases the underlying handle; call once, after the last read has settled. */
  close(): Promise<void>;
}

/**
 * A dumb streaming key/value store for registry content. Keys come from `paths.ts` only.
 * Digest checks and upload assembly live above it.
 *
 * Implementer obligations:
 * - `put` is atomic: a reader sees the old value (or none) until the whole body has been
 *   stored durably, then the new one. If `body` errors (e.g. a digest mismatch raised by a
 *   verifying stream), `put` rejects with that error and nothing becomes visible.
 * - `read` returns a fresh stream the caller consumes or destroys; it throws
 *   REGISTRY_SERVE_BLOB_UNKNOWN when the key is absent. `range` must lie within the value.
 * - `list(prefix)` yields every key starting with `prefix`, in no particular order.
 * - `delete` of an absent key is not an error.
 * - Keys that do not match `isStoreKey` throw INPUT_INVALID (never touch storage).
 * - `lastModified` (optional) is when the value was last put, ms since epoch, or undefined
 *   when absent. Garbage collection uses it for its grace period; without it, unreferenced
 *   content counts as old.
 * - `adopt` (optional) stores the local file at `path` as the value of `key`, with `put`'s
 *   atomicity and durability, by moving it where it can (same file system) instead of
 *   copying; the caller has already verified the bytes. The file may be gone afterwards, or
 *   not (after a copy): the caller removes what is left.
 * - `openReader` (optional) offers positional reads into the caller's buffers, which lets the
 *   blob GET route reuse its buffers instead of allocating per chunk; it throws
 *   REGISTRY_SERVE_BLOB_UNKNOWN when the key is absent.
 */
export interface BlobStore {
  stat(key: string): Promise<{ size: number } | undefined>;
  read(key: string, range?: ByteRange): Promise<Readable>;
  put(key: string, body: Readable): Promise<void>;
  list(prefix: string): AsyncIterable<string>;
  delete(key: string): Promise<void>;
  /**
   * Optional: a URL the client may GET the value from itself (a presigned object-store URL),
   * or undefined to have the registry stream it. Called only for keys known to exist.
   */
  redirectUrl?(key: string): Promise<string | undefined>;
  lastModified?(key: string): Promise<number | undefined>;
  openReader?(key: string): Promise<BlobReader>;
  adopt?(key: string, path: string): Promise<void>;
}
