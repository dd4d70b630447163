/**
 * Reads the entries of a zip file one at a time (yauzl, random access over the file), with
 * caps on entry count, per-entry size, total size and compression ratio, and a CRC-32 check of
 * every entry (yauzl reads the CRC but leaves checking it to the caller). Entries are never
 * written to disk, so their names are only labels.
 */
import { crc32 } from 'node:zlib';
import type { Readable } from 'node:stream';
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
 * content. Throws `VULN_ARCHIVE_INVALID` (bad zip, CRC mismatch) or `LIMIT_EXCEEDED`.
 * Stopping the iteration early closes the file.
 */
export async function* readZip(
  file: string,
  opts: { accept?: (name: string) => boolean; limits?: ZipLimits; signal?: AbortSignal } = {},
): AsyncGenerator<ZipEntryData> {
  const limits = opts.limits ?? defaultZipLimits;
  const zip = await openZip(file);
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
      yield { name: entry.fileName, data: await readEntry(zip, entry, file) };
    }
  } finally {
    zip.close();
  }
}

function checkEntry(e: Entry, file: string, l: ZipLimits): void {
  if (e.uncompressedSize > l.maxEntryBytes) {
    throw new BosunError('LIMIT_EXCEEDED', `zip "${file}" entry "${e.fileName}" is ${e.uncompressedSize} bytes, over the cap of ${l.maxEntryBytes}`);
  }
  if (e.uncompressedSize > 65_536 && e.uncompressedSize > l.maxRatio * Math.max(1, e.compressedSize)) {
    throw new BosunError('LIMIT_EXCEEDED', `zip "${file}" entry "${e.fileName}" expands more than ${l.maxRatio}:1`);
  }
}

function invalid(file: string, err: unknown): BosunError {
  if (err instanceof BosunError) return err;
  return new BosunError('VULN_ARCHIVE_INVALID', `"${file}" is not a readable zip archive: ${(err as Error).message}`, { cause: err });
}

function openZip(file: string): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) reject(invalid(file, err));
      else resolve(zip);
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

async function readEntry(zip: ZipFile, entry: Entry, file: string): Promise<Buffer> {
  try {
    const stream = await new Promise<Readable>((resolve, reject) => {
      zip.openReadStream(entry, (err, s) => (err || !s ? reject(err) : resolve(s)));
    });
    const chunks: Buffer[] = [];
    let crc = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      crc = crc32(chunk, crc);
      chunks.push(chunk);
    }
    if (crc >>> 0 !== entry.crc32 >>> 0) {
      throw new BosunError('VULN_ARCHIVE_INVALID', `zip "${file}" entry "${entry.fileName}" fails its CRC-32 check`);
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  } catch (err) {
    throw invalid(file, err);
  }
}
