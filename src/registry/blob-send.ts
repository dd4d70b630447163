import type { ServerResponse } from 'node:http';
import { BosunError } from '../errors.js';
import type { BlobReader } from './blob-store/blob-store.js';
import type { BufferPool } from './buffer-pool.js';

/**
 * Chunks handed to the socket and not yet written out, per response. Two let the next read
 * overlap the socket draining the previous chunk, and bound a GET's memory at two buffers.
 */
const maxInFlight = 2;

/**
 * Writes bytes `[start, start + length)` of `reader` to `res`, whose status and headers
 * (Content-Length: `length`) are already set, then ends it. Each chunk is read into a pool
 * buffer, which goes back to the pool once the socket has taken it (the write callback), so
 * serving allocates nothing per chunk; backpressure is the in-flight bound above.
 *
 * Resolves when the body is sent or the client has gone. Rejects with the read's error, or
 * REGISTRY_SERVE_STORE_FAILED when the value ends early; the caller must then destroy `res`,
 * so the client sees a truncated response rather than a short body that looks complete.
 * `reader` is not closed here: no read is pending once this settles.
 */
export async function pumpBlob(res: ServerResponse, reader: BlobReader, start: number, length: number, pool: BufferPool): Promise<void> {
  let gone = res.destroyed;
  let inFlight = 0;
  let wake: (() => void) | undefined;
  const onClose = (): void => {
    gone = true;
    wake?.();
  };
  const written = (buf: Buffer) => (err?: Error | null): void => {
    inFlight--;
    if (err) gone = true;
    pool.give(buf);
    wake?.();
  };
  res.once('close', onClose);
  try {
    const end = start + length;
    let pos = start;
    while (pos < end && !gone) {
      if (inFlight >= maxInFlight) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      const buf = pool.take();
      const n = await reader.read(buf, Math.min(buf.length, end - pos), pos).catch((err: unknown) => {
        pool.give(buf);
        throw err;
      });
      if (n === 0) {
        pool.give(buf);
        throw new BosunError('REGISTRY_SERVE_STORE_FAILED', `blob store: value ends at byte ${pos}, ${end - pos} bytes short`);
      }
      pos += n;
      inFlight++;
      res.write(n === buf.length ? buf : buf.subarray(0, n), written(buf));
    }
    if (!gone) res.end();
  } finally {
    res.removeListener('close', onClose);
  }
}
