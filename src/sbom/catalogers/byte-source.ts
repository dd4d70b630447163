import type { Readable } from 'node:stream';
import { BosunError } from '../../errors.js';
import type { FileEntry, FileTree } from '../../oci/types.js';

/**
 * Random access to a file's bytes with explicit bounds, for formats read from the middle or the end
 * (ZIP central directories, ELF section tables). Implementers:
 * - return exactly `length` bytes at `offset`, or throw SBOM_FILE_INVALID when the range passes
 *   the end and LIMIT_EXCEEDED when `length` is over the source's per-read cap;
 * - never read more of the underlying file than the furthest byte asked for.
 */
export interface ByteSource {
  /** Total bytes. */
  readonly size: number;
  read(offset: number, length: number): Promise<Buffer>;
  /** Releases any open stream; the source may not be used afterwards. */
  close(): void;
}

function checkRange(size: number, offset: number, length: number, maxRead: number, what: string): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new BosunError('SBOM_FILE_INVALID', `${what}: range ${offset}+${length} is outside the ${size}-byte file`);
  }
  if (length > maxRead) throw new BosunError('LIMIT_EXCEEDED', `${what}: a ${length}-byte read is over the ${maxRead}-byte limit`);
}

/** A source over bytes already in memory (a nested archive inflated within its cap). */
export function bufferSource(buf: Buffer, what: string, maxRead = buf.length): ByteSource {
  return {
    size: buf.length,
    async read(offset, length) {
      checkRange(buf.length, offset, length, maxRead, what);
      return buf.subarray(offset, offset + length);
    },
    close() {},
  };
}

/**
 * A source over a regular file of the tree. The tree only streams, so reads go forward through one
 * open stream (skipping what lies between) and a read behind the current position reopens it:
 * callers that ask in ascending order pass over the file once.
 */
export function treeSource(tree: FileTree, file: FileEntry, maxRead: number): ByteSource {
  const what = `"${file.path}"`;
  let stream: Readable | undefined;
  let it: AsyncIterator<unknown> | undefined;
  let pos = 0; // file offset of `pending[0]`
  let pending: Buffer = Buffer.alloc(0);
  const reset = (): void => {
    stream?.destroy();
    stream = undefined;
    it = undefined;
    pos = 0;
    pending = Buffer.alloc(0);
  };
  const more = async (): Promise<void> => {
    if (!it) {
      stream = await tree.open(file);
      it = stream[Symbol.asyncIterator]();
    }
    const next = await it.next();
    if (next.done) throw new BosunError('SBOM_FILE_INVALID', `${what}: ended before its declared ${file.size} bytes`);
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : (next.value as Buffer);
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
  };
  return {
    size: file.size,
    async read(offset, length) {
      checkRange(file.size, offset, length, maxRead, what);
      if (offset < pos) reset();
      while (pos + pending.length < offset + length) {
        if (pos + pending.length <= offset) {
          pos += pending.length; // nothing here is wanted: drop it before reading on
          pending = Buffer.alloc(0);
        }
        await more();
      }
      const start = offset - pos;
      const out = Buffer.from(pending.subarray(start, start + length));
      pos = offset;
      pending = pending.subarray(start);
      return out;
    },
    close: reset,
  };
}

/** The regular file behind an entry (hard links and symlinks resolved), or a SBOM_FILE_INVALID. */
export async function regularFile(tree: FileTree, entry: FileEntry): Promise<FileEntry> {
  const target = entry.kind === 'file' ? entry : await tree.stat(entry.path);
  if (!target || target.kind !== 'file') throw new BosunError('SBOM_FILE_INVALID', `"${entry.path}": not a regular file`);
  return target;
}
