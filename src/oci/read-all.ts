import type { Readable } from 'node:stream';
import { BosunError } from '../errors.js';

/** Reads a stream into memory, failing with LIMIT_EXCEEDED past `max` bytes (and destroying it). */
export async function readAll(stream: Readable, max: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      total += buf.length;
      if (total > max) {
        throw new BosunError('LIMIT_EXCEEDED', `${what}: larger than the ${max}-byte limit`);
      }
      chunks.push(buf);
    }
  } finally {
    if (!stream.destroyed) stream.destroy();
  }
  return Buffer.concat(chunks, total);
}
