import { BosunError } from '../../errors.js';
import { algorithmOf, hexOf, type Digest } from '../../oci/digest.js';

/**
 * The key layout of a registry's BlobStore, and of its data directory:
 *
 * ```
 * <data>/
 *   meta.db, meta.db-wal, meta.db-shm   MetaStore (SQLite): repositories, tags, manifests,
 *                                       blob links, referrers, upload sessions
 *   uploads/<upload id>                 bytes of an unfinished upload session (spool)
 *   store/                              fs BlobStore root; keys below are relative to it
 *     blobs/<alg>/<hex[0:2]>/<hex>      content (layers, configs and manifests), by digest
 *     _tmp/<random>                     puts in flight; renamed into place once complete
 * ```
 *
 * Content is global and deduplicated; which repository may see which blob is MetaStore's job.
 */
export function blobKey(digest: Digest): string {
  const hex = hexOf(digest);
  return `blobs/${algorithmOf(digest)}/${hex.slice(0, 2)}/${hex}`;
}

/** The prefix under which every blob key lives. */
export const blobsPrefix = 'blobs/';

// Segments start with an alphanumeric, so '.', '..' and hidden names cannot occur.
const keyPattern = /^[a-z0-9][a-z0-9._-]*(?:\/[a-z0-9][a-z0-9._-]*)*$/;

export function isStoreKey(key: string): boolean {
  return key.length <= 512 && keyPattern.test(key);
}

/** Throws INPUT_INVALID unless `key` is a well-formed store key. */
export function checkStoreKey(key: string): string {
  if (!isStoreKey(key)) throw new BosunError('INPUT_INVALID', `invalid blob store key "${key.slice(0, 120)}"`);
  return key;
}

/** Accepts a list prefix: a key, a key followed by '/', or ''. */
export function checkStorePrefix(prefix: string): string {
  const trimmed = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  if (trimmed !== '') checkStoreKey(trimmed);
  return prefix;
}
