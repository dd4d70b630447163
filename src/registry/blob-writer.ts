import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BosunError } from '../errors.js';
import { VerifyingStream, type Digest } from '../oci/digest.js';
import type { BlobStore } from './blob-store/blob-store.js';
import { blobKey } from './blob-store/paths.js';

// Errors a request body raises when the client goes away mid-transfer.
const abortCodes = new Set(['ECONNRESET', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);

/**
 * Rethrows a client hanging up mid-body as BLOB_UPLOAD_INVALID (a 4xx, not a server failure
 * to log); anything else unchanged.
 */
export function clientAbortAsUploadInvalid(err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && abortCodes.has(code)) {
    return new BosunError('REGISTRY_SERVE_BLOB_UPLOAD_INVALID', 'the request body ended before its declared end', { cause: err });
  }
  return err;
}

/**
 * Stores `body` as the blob `digest`, hashing while it streams: on a mismatch the put fails
 * with OCI_DIGEST_MISMATCH (OCI_SIZE_MISMATCH when `size` is given and wrong) before anything
 * is renamed into place. When the blob is already stored the body is still read and checked,
 * but not written again. Returns the byte count. The caller links the blob to a repository.
 */
export async function putVerified(store: BlobStore, digest: Digest, body: Readable, size?: number): Promise<number> {
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      cb(null, chunk);
    },
  });
  const verify = new VerifyingStream(digest, `upload of ${digest}`, size);
  const key = blobKey(digest);
  if (await store.stat(key)) {
    try {
      await pipeline(body, counter, verify, new Writable({ write: (_c, _e, cb) => cb() }));
    } catch (err) {
      throw clientAbortAsUploadInvalid(err);
    }
    return seen;
  }
  // The store consumes `verify`; errors anywhere upstream must reach it so the put aborts.
  body.on('error', (err) => counter.destroy(clientAbortAsUploadInvalid(err) as Error));
  counter.on('error', (err) => verify.destroy(err));
  body.pipe(counter).pipe(verify);
  await store.put(key, verify);
  return seen;
}
