import { rename, unlink, writeFile } from 'node:fs/promises';
import { BosunError } from '../errors.js';

/**
 * Writes `data` to `path` via a new temp file in the same directory and a rename, so readers see
 * the old file or the whole new one. Throws IO_FAILED.
 */
export async function writeAtomic(path: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    await writeFile(tmp, data, { mode, flag: 'wx' });
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw new BosunError('IO_FAILED', `cannot write '${path}'`, { cause: err });
  }
}
