import { inflateRawSync } from 'node:zlib';
import { BosunError } from '../../errors.js';
import type { ByteSource } from './byte-source.js';

/** One central directory record. Offsets are absolute in the source (any prefix accounted for). */
export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  size: number;
  /** Offset of the local file header. */
  localOffset: number;
}

export interface ZipLimits {
  /** Most central directory records one archive may declare. */
  maxEntries: number;
  /** Largest central directory read into memory. */
  maxDirectoryBytes: number;
}

// spec: PKWARE APPNOTE.TXT 6.3.10, sections 4.3.6 (local header), 4.3.12 (central directory),
// 4.3.14-4.3.16 (zip64 end records) and 4.5.3 (zip64 extra field).
const sig = { local: 0x04034b50, central: 0x02014b50, end: 0x06054b50, end64: 0x06064b50, locator64: 0x07064b50 } as const;
const endSize = 22;
const maxComment = 0xffff;

function invalid(what: string, why: string): BosunError {
  return new BosunError('SBOM_FILE_INVALID', `${what}: not a readable zip archive (${why})`);
}

interface Directory {
  entries: number;
  size: number;
  offset: number;
  /** Where the directory really starts minus where the archive says: bytes prepended to the archive. */
  shift: number;
}

async function findDirectory(src: ByteSource, what: string): Promise<Directory> {
  const tailLen = Math.min(src.size, endSize + maxComment);
  if (tailLen < endSize) throw invalid(what, 'too short');
  const tailStart = src.size - tailLen;
  const tail = await src.read(tailStart, tailLen);
  let at = -1;
  for (let i = tail.length - endSize; i >= 0; i--) {
    if (tail.readUInt32LE(i) === sig.end) {
      at = i;
      break;
    }
  }
  if (at < 0) throw invalid(what, 'no end of central directory record');
  let entries = tail.readUInt16LE(at + 10);
  let size = tail.readUInt32LE(at + 12);
  let offset = tail.readUInt32LE(at + 16);
  let dirEnd = tailStart + at;
  if (entries === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    const loc = at - 20;
    if (loc < 0 || tail.readUInt32LE(loc) !== sig.locator64) throw invalid(what, 'zip64 locator missing');
    const recOffset = Number(tail.readBigUInt64LE(loc + 8));
    if (recOffset + 56 > src.size) throw invalid(what, 'zip64 end record past the end');
    const rec = await src.read(recOffset, 56);
    if (rec.readUInt32LE(0) !== sig.end64) throw invalid(what, 'zip64 end record missing');
    entries = Number(rec.readBigUInt64LE(32));
    size = Number(rec.readBigUInt64LE(40));
    offset = Number(rec.readBigUInt64LE(48));
    dirEnd = recOffset;
  }
  const shift = dirEnd - size - offset;
  if (shift < 0 || dirEnd - size < 0) throw invalid(what, 'central directory outside the file');
  return { entries, size, offset: offset + shift, shift };
}

function zip64Values(extra: Buffer, want: { size: boolean; compressed: boolean; offset: boolean }): bigint[] {
  for (let i = 0; i + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(i);
    const len = extra.readUInt16LE(i + 2);
    if (id === 0x0001) {
      const n = Number(want.size) + Number(want.compressed) + Number(want.offset);
      if (len < n * 8 || i + 4 + n * 8 > extra.length) return [];
      return Array.from({ length: n }, (_, k) => extra.readBigUInt64LE(i + 4 + k * 8));
    }
    i += 4 + len;
  }
  return [];
}

function parseRecord(dir: Buffer, at: number, shift: number, what: string): { entry: ZipEntry; next: number } {
  if (at + 46 > dir.length || dir.readUInt32LE(at) !== sig.central) throw invalid(what, `bad central directory record at ${at}`);
  const nameLen = dir.readUInt16LE(at + 28);
  const extraLen = dir.readUInt16LE(at + 30);
  const commentLen = dir.readUInt16LE(at + 32);
  const next = at + 46 + nameLen + extraLen + commentLen;
  if (next > dir.length) throw invalid(what, 'central directory record past its end');
  let size = dir.readUInt32LE(at + 24);
  let compressedSize = dir.readUInt32LE(at + 20);
  let localOffset = dir.readUInt32LE(at + 42);
  const want = { size: size === 0xffffffff, compressed: compressedSize === 0xffffffff, offset: localOffset === 0xffffffff };
  if (want.size || want.compressed || want.offset) {
    const vals = zip64Values(dir.subarray(at + 46 + nameLen, at + 46 + nameLen + extraLen), want).map(Number);
    if (vals.length === 0) throw invalid(what, 'zip64 sizes missing');
    if (want.size) size = vals.shift() as number;
    if (want.compressed) compressedSize = vals.shift() as number;
    if (want.offset) localOffset = vals.shift() as number;
  }
  const name = dir.toString('utf8', at + 46, at + 46 + nameLen);
  const entry = { name, method: dir.readUInt16LE(at + 10), flags: dir.readUInt16LE(at + 8), compressedSize, size, localOffset: localOffset + shift };
  return { entry, next };
}

/**
 * Lists an archive's central directory. Throws SBOM_FILE_INVALID for anything that is not a zip
 * (or a damaged one) and LIMIT_EXCEEDED past `limits`.
 */
export async function readZipDirectory(src: ByteSource, what: string, limits: ZipLimits): Promise<ZipEntry[]> {
  const d = await findDirectory(src, what);
  if (d.entries > limits.maxEntries) throw new BosunError('LIMIT_EXCEEDED', `${what}: ${d.entries} entries, over the ${limits.maxEntries} limit`);
  if (d.size > limits.maxDirectoryBytes) throw new BosunError('LIMIT_EXCEEDED', `${what}: ${d.size}-byte central directory, over the limit`);
  const dir = await src.read(d.offset, d.size);
  const out: ZipEntry[] = [];
  for (let at = 0, i = 0; i < d.entries; i++) {
    const r = parseRecord(dir, at, d.shift, what);
    out.push(r.entry);
    at = r.next;
  }
  return out;
}

/** Most an entry may inflate relative to its compressed size; deflate's own maximum is ~1032:1. */
const maxRatio = 1100;

/**
 * Reads and inflates one entry (stored or deflated). Guards against zip bombs: the declared size
 * must be within `maxBytes` and a plausible ratio of the compressed size, and inflating may never
 * produce more than was declared. Throws LIMIT_EXCEEDED or SBOM_FILE_INVALID.
 */
export async function readZipEntry(src: ByteSource, e: ZipEntry, what: string, maxBytes: number): Promise<Buffer> {
  const where = `${what}!/${e.name}`;
  if (e.size > maxBytes) throw new BosunError('LIMIT_EXCEEDED', `${where}: declares ${e.size} bytes, over the ${maxBytes}-byte limit`);
  if (e.flags & 1) throw invalid(where, 'encrypted');
  if (e.size > 4096 && e.size > e.compressedSize * maxRatio) {
    throw new BosunError('LIMIT_EXCEEDED', `${where}: declares ${e.size} bytes from ${e.compressedSize}, past any real compression ratio`);
  }
  const local = await src.read(e.localOffset, 30);
  if (local.readUInt32LE(0) !== sig.local) throw invalid(where, 'bad local header');
  const dataAt = e.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  const raw = await src.read(dataAt, e.compressedSize);
  if (e.method === 0) {
    if (e.compressedSize !== e.size) throw invalid(where, 'stored entry with two sizes');
    return raw;
  }
  if (e.method !== 8) throw invalid(where, `compression method ${e.method}`);
  let out: Buffer;
  try {
    out = inflateRawSync(raw, { maxOutputLength: Math.max(e.size, 1) });
  } catch (err) {
    throw new BosunError('SBOM_FILE_INVALID', `${where}: does not inflate to its declared ${e.size} bytes`, { cause: err });
  }
  if (out.length !== e.size) throw invalid(where, `inflated to ${out.length} bytes, declared ${e.size}`);
  return out;
}
