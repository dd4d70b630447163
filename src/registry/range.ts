import { BosunError } from '../errors.js';
import type { ByteRange } from './blob-store/blob-store.js';
import type { ChunkRange } from './upload-sessions.js';

/**
 * Interprets a blob GET `Range` header against a blob of `size` bytes (RFC 9110 §14.2).
 * Returns undefined when the whole blob should be sent (no header, a header we do not
 * parse, or several ranges, which the RFC lets a server ignore); throws RANGE_INVALID (416)
 * when the range lies outside the blob.
 */
export function parseRangeHeader(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    start = Math.max(0, size - suffix);
    end = size - 1;
    if (suffix === 0) start = size;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return undefined;
  }
  if (start >= size || end < start) {
    throw new BosunError('REGISTRY_SERVE_RANGE_INVALID', `range "${header.slice(0, 60)}" is outside the ${size}-byte blob`);
  }
  return { start, end };
}

/**
 * Parses an upload chunk's `Content-Range: <start>-<end>` (the spec's form; a `bytes ` prefix
 * and a `/total` suffix are tolerated). Throws BLOB_UPLOAD_INVALID when malformed.
 */
export function parseContentRange(header: string | undefined): ChunkRange | undefined {
  if (header === undefined) return undefined;
  const m = /^(?:bytes[ =])?(\d{1,15})-(\d{1,15})(?:\/(?:\d{1,15}|\*))?$/.exec(header.trim());
  if (!m || Number(m[2]) < Number(m[1])) {
    throw new BosunError('REGISTRY_SERVE_BLOB_UPLOAD_INVALID', `invalid Content-Range "${header.slice(0, 60)}"`);
  }
  return { start: Number(m[1]), end: Number(m[2]) };
}
