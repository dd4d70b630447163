import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { BosunError } from '../errors.js';
import { readAll } from '../oci/read-all.js';

/**
 * Reads a local file whole, failing with LIMIT_EXCEEDED when it is larger than `max` bytes
 * (checked by size first, and again while streaming so a growing file cannot slip by) and with
 * IO_FAILED when it cannot be read.
 */
export async function readFileCapped(path: string, max: number, what: string): Promise<Buffer> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    throw new BosunError('IO_FAILED', `cannot read ${what} '${path}'`, { cause: err });
  }
  if (size > max) throw new BosunError('LIMIT_EXCEEDED', `${what} '${path}' is ${size} bytes, over the ${max}-byte limit`);
  try {
    return await readAll(createReadStream(path), max, `${what} '${path}'`);
  } catch (err) {
    if (err instanceof BosunError) throw err;
    throw new BosunError('IO_FAILED', `cannot read ${what} '${path}'`, { cause: err });
  }
}
