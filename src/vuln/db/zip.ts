/**
 * Reads the entries of a zip file one at a time (yauzl parses the structure), with caps on entry
 * count, per-entry size, total size and compression ratio, and a CRC-32 check of every entry
 * (yauzl reads the CRC but leaves checking it to the caller). Entries are never written to
 * disk, so their names are only labels.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import { crc32, inflateRawSync } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { BosunError } from '../../errors.js';

export interface ZipLimits {
  maxEntries: number;
  /** Uncompressed bytes per entry. */
  maxEntryBytes: number;
  /** Uncompressed bytes over all entries read. */
  maxTotalBytes: number;
  /** Uncompressed / compressed, for entries over 64 KiB uncompressed. */
  maxRatio: number;
}

export const defaultZipLimits: ZipLimits = {
  maxEntries: 5_000_000,
  maxEntryBytes: 4 * 1024 * 1024,
  maxTotalBytes: 64 * 1024 * 1024 * 1024,
  maxRatio: 1_000,
};

export interface ZipEntryData {
  name: string;
  data: Buffer;
}

/**
 * Yields every file entry of `file` whose name passes `accept`, in archive order, with its
 * content. Throws `VULN_ARCHIVE_INVALID` (bad zip, CRC mismatch), `LIMIT_EXCEEDED`, `IO_FAILED`.
 * Stopping the iteration early closes the file.
 */
export async function* readZip(
  file: string,
  opts: { accept?: (name: string) => boolean; limits?: ZipLimits; signal?: AbortSignal } = {},
): AsyncGenerator<ZipEntryData> {
  const limits = opts.limits ?? defaultZipLimits;
  const { zip, reader } = await openZip(file);
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw new BosunError('LIMIT_EXCEEDED', `zip "${file}" has ${zip.entryCount} entries, over the cap of ${limits.maxEntries}`);
    }
    let total = 0;
    for (let entry = await nextEntry(zip, file); entry; entry = await nextEntry(zip, file)) {
      if (opts.signal?.aborted) throw new BosunError('ABORTED', `reading "${file}" cancelled`, { cause: opts.signal.reason });
      if (entry.fileName.endsWith('/') || !(opts.accept?.(entry.fileName) ?? true)) continue;
      checkEntry(entry, file, limits);
      total += entry.uncompressedSize;
      if (total > limits.maxTotalBytes) throw new BosunError('LIMIT_EXCEEDED', `zip "${file}" expands past ${limits.maxTotalBytes} bytes`);
      yield { name: entry.fileName, data: await readEntry(zip, reader, entry, file, limits) };
    }
  } finally {
    zip.close();
  }
}

function checkEntry(e: Entry, file: string, l: ZipLimits): void {
  const where = `zip "${file}" entry "${e.fileName}"`;
  if (e.uncompressedSize > l.maxEntryBytes) throw new BosunError('LIMIT_EXCEEDED', `${where} is ${e.uncompressedSize} bytes, over the cap of ${l.maxEntryBytes}`);
  if (e.compressedSize > l.maxEntryBytes + 65_536) throw new BosunError('LIMIT_EXCEEDED', `${where} is ${e.compressedSize} bytes compressed, over the cap of ${l.maxEntryBytes}`);
  if (e.uncompressedSize > 65_536 && e.uncompressedSize > l.maxRatio * Math.max(1, e.compressedSize)) {
    throw new BosunError('LIMIT_EXCEEDED', `${where} expands more than ${l.maxRatio}:1`);
  }
  if ((e.generalPurposeBitFlag & 1) !== 0) throw new BosunError('VULN_ARCHIVE_INVALID', `${where} is encrypted`);
}

/**
 * Reads and inflates one entry synchronously from the reader's windows: an inflate stream costs
 * a threadpool round trip per chunk, which dominated reading many small records.
 */
async function readEntry(zip: ZipFile, reader: WindowReader, entry: Entry, file: string, limits: ZipLimits): Promise<Buffer> {
  const where = `zip "${file}" entry "${entry.fileName}"`;
  let data: Buffer;
  try {
    const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
    const raw = reader.bytes(fileDataStart, fileDataStart + entry.compressedSize);
    if (entry.compressionMethod === 0) data = raw;
    else if (entry.compressionMethod === 8) data = inflateRawSync(raw, { maxOutputLength: Math.max(1, limits.maxEntryBytes) });
    else throw new BosunError('VULN_ARCHIVE_INVALID', `${where} uses compression method ${entry.compressionMethod} (only stored and deflate are read)`);
  } catch (err) {
    throw invalid(file, err);
  }
  if (data.length !== entry.uncompressedSize) {
    throw new BosunError('VULN_ARCHIVE_INVALID', `${where} inflates to ${data.length} bytes, its header says ${entry.uncompressedSize}`);
  }
  if (crc32(data) >>> 0 !== entry.crc32 >>> 0) throw new BosunError('VULN_ARCHIVE_INVALID', `${where} fails its CRC-32 check`);
  return data;
}

function invalid(file: string, err: unknown): BosunError {
  if (err instanceof BosunError) return err;
  return new BosunError('VULN_ARCHIVE_INVALID', `"${file}" is not a readable zip archive: ${(err as Error).message}`, { cause: err });
}

async function openZip(file: string): Promise<{ zip: ZipFile; reader: WindowReader }> {
  let reader: WindowReader;
  try {
    reader = new WindowReader(openSync(file, 'r'));
  } catch (err) {
    throw new BosunError('IO_FAILED', `cannot read "${file}"`, { cause: err });
  }
  return new Promise((resolve, reject) => {
    const opts = { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true };
    yauzl.fromRandomAccessReader(reader, fstatSync(reader.fd).size, opts, (err, zip) => {
      if (err || !zip) {
        reader.close(() => undefined);
        reject(invalid(file, err));
      } else {
        resolve({ zip, reader });
      }
    });
  });
}

function nextEntry(zip: ZipFile, file: string): Promise<Entry | undefined> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (e: Entry) => (cleanup(), resolve(e));
    const onEnd = () => (cleanup(), resolve(undefined));
    const onError = (err: unknown) => (cleanup(), reject(invalid(file, err)));
    zip.on('entry', onEntry).on('end', onEnd).on('error', onError);
    zip.readEntry();
  });
}

/** Bytes read ahead per disk read: entries are read in order, so most reads hit a window. */
const WINDOW_BYTES = 256 * 1024;

/**
 * Serves yauzl's reads from read-ahead windows filled with synchronous reads: yauzl's own file
 * reader costs a threadpool round trip per entry header, about 1 ms per record on a busy
 * machine. Two windows, because reading alternates between the central directory (at the end
 * of the file) and the entries (from the start).
 */
class WindowReader extends yauzl.RandomAccessReader {
  private windows: Array<{ start: number; data: Buffer }> = [];
  private isClosed = false;

  constructor(readonly fd: number) {
    super();
  }

  /** Exactly the bytes [start, end); throws when the file is shorter. */
  bytes(start: number, end: number): Buffer {
    const data = this.slice(start, end);
    if (data.length !== end - start) throw new Error(`unexpected end of file at ${start + data.length}`);
    return data;
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return new PassThrough().end(this.slice(start, end));
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
    const data = this.slice(position, position + length);
    data.copy(buffer, offset);
    process.nextTick(callback, data.length === length ? null : new Error('unexpected end of file'));
  }

  override close(callback: (err: Error | null) => void): void {
    if (!this.isClosed) closeSync(this.fd);
    this.isClosed = true;
    process.nextTick(callback, null);
  }

  private slice(start: number, end: number): Buffer {
    let w = this.windows.find((x) => start >= x.start && end <= x.start + x.data.length);
    if (!w) {
      const size = Math.max(end - start, WINDOW_BYTES);
      const buf = Buffer.allocUnsafe(size);
      w = { start, data: buf.subarray(0, readSync(this.fd, buf, 0, size, start)) };
      this.windows = [w, ...this.windows.slice(0, 1)];
    }
    return w.data.subarray(start - w.start, Math.min(end - w.start, w.data.length));
  }
}
