import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { BosunError } from '../errors.js';

// spec: POSIX pax / ustar (IEEE Std 1003.1 "pax" interchange format), plus the GNU long-name
// extension ('L'/'K') that GNU tar and some docker-save writers emit.

const block = 512;

export type TarEntryKind = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';

/** One member of an indexed tar: where its data starts in the file, and how long it is. */
export interface TarEntry {
  /** The name as stored, with a leading `./` removed. Not validated: see `safeEntryName`. */
  name: string;
  kind: TarEntryKind;
  /** Byte offset of the entry's data in the tar file. */
  offset: number;
  size: number;
  linkTarget?: string;
}

export interface TarIndexLimits {
  /** Most entries indexed before LIMIT_EXCEEDED. */
  maxEntries: number;
  /** Largest pax or GNU long-name header accepted. */
  maxMetaBytes: number;
}

export const defaultTarIndexLimits: TarIndexLimits = { maxEntries: 200_000, maxMetaBytes: 1024 * 1024 };

/** A tar file indexed once for random access: entry name → data offset and size. */
export interface TarIndex {
  readonly path: string;
  /** By name; when a name repeats, the last entry wins (as extraction would leave it). */
  readonly entries: ReadonlyMap<string, TarEntry>;
}

function cString(buf: Buffer, start: number, len: number): string {
  const field = buf.subarray(start, start + len);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? len : end).toString('utf8');
}

function parseNumber(buf: Buffer, start: number, len: number, what: string): number {
  const field = buf.subarray(start, start + len);
  if (field[0]! & 0x80) {
    // GNU base-256: big-endian, top bit of the first byte is the marker.
    let n = field[0]! & 0x7f;
    for (let i = 1; i < len; i++) n = n * 256 + field[i]!;
    if (!Number.isSafeInteger(n)) throw new BosunError('OCI_SOURCE_INVALID', `${what}: numeric field out of range`);
    return n;
  }
  const text = field.toString('latin1').replace(/[\0 ]+$/, '').trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new BosunError('OCI_SOURCE_INVALID', `${what}: bad octal field "${text.slice(0, 20)}"`);
  return parseInt(text, 8);
}

function checksumOk(header: Buffer, what: string): boolean {
  const want = parseNumber(header, 148, 8, what);
  let sum = 0;
  for (let i = 0; i < block; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  return sum === want;
}

function kindOf(flag: string): TarEntryKind {
  if (flag === '0' || flag === '\0' || flag === '7' || flag === '') return 'file';
  if (flag === '5') return 'dir';
  if (flag === '2') return 'symlink';
  if (flag === '1') return 'hardlink';
  return 'other';
}

// spec: pax "extended header" records are "<len> <key>=<value>\n".
function parsePax(data: Buffer, what: string): Map<string, string> {
  const out = new Map<string, string>();
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    const len = space === -1 ? NaN : Number(data.subarray(pos, space).toString('latin1'));
    if (!Number.isSafeInteger(len) || len <= 0 || pos + len > data.length) {
      throw new BosunError('OCI_SOURCE_INVALID', `${what}: malformed pax header`);
    }
    const record = data.subarray(space + 1, pos + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    pos += len;
  }
  return out;
}

async function readExactly(fh: FileHandle, offset: number, length: number, fileSize: number, what: string): Promise<Buffer> {
  if (offset + length > fileSize) {
    throw new BosunError('OCI_SOURCE_INVALID', `${what}: truncated (needs ${offset + length} bytes, file has ${fileSize})`);
  }
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, offset);
  if (bytesRead !== length) throw new BosunError('OCI_SOURCE_INVALID', `${what}: truncated at byte ${offset + bytesRead}`);
  return buf;
}

interface Pending {
  name?: string;
  linkTarget?: string;
  size?: number;
}

/**
 * Reads every header of the tar at `path` once and returns an index of its members. Data is
 * not read. Throws OCI_SOURCE_INVALID for a corrupt or truncated tar (a member whose data runs
 * past the end of the file), LIMIT_EXCEEDED past `lim`, IO_FAILED when the file cannot be read.
 */
export async function indexTar(path: string, what: string, lim: TarIndexLimits = defaultTarIndexLimits): Promise<TarIndex> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw new BosunError('IO_FAILED', `${what}: cannot open "${path}"`, { cause: err });
  }
  try {
    const fileSize = (await fh.stat()).size;
    const entries = new Map<string, TarEntry>();
    let pos = 0;
    let pending: Pending = {};
    let count = 0;
    while (pos + block <= fileSize) {
      const header = await readExactly(fh, pos, block, fileSize, what);
      if (header.every((b) => b === 0)) break; // end-of-archive marker
      if (!checksumOk(header, what)) throw new BosunError('OCI_SOURCE_INVALID', `${what}: bad tar header checksum at byte ${pos}`);
      if (++count > lim.maxEntries) throw new BosunError('LIMIT_EXCEEDED', `${what}: more than ${lim.maxEntries} tar entries`);
      const flag = String.fromCharCode(header[156]!);
      const size = pending.size ?? parseNumber(header, 124, 12, what);
      const dataStart = pos + block;
      const next = dataStart + Math.ceil(size / block) * block;
      if (dataStart + size > fileSize) {
        throw new BosunError('OCI_SOURCE_INVALID', `${what}: truncated (entry at byte ${pos} runs past the end of the file)`);
      }
      pos = next;
      if (flag === 'x' || flag === 'L' || flag === 'K') {
        if (size > lim.maxMetaBytes) throw new BosunError('LIMIT_EXCEEDED', `${what}: tar metadata header of ${size} bytes`);
        const data = await readExactly(fh, dataStart, size, fileSize, what);
        pending = applyMeta(pending, flag, data, what);
        continue;
      }
      if (flag === 'g') continue; // global pax header: no per-file meaning here
      const entry = makeEntry(header, flag, pending, dataStart, size);
      entries.delete(entry.name); // re-insert so iteration order follows the last occurrence
      entries.set(entry.name, entry);
      pending = {};
    }
    if (pos > fileSize) throw new BosunError('OCI_SOURCE_INVALID', `${what}: truncated`);
    return { path, entries };
  } finally {
    await fh.close();
  }
}

function applyMeta(pending: Pending, flag: string, data: Buffer, what: string): Pending {
  if (flag === 'L') return { ...pending, name: cString(data, 0, data.length) };
  if (flag === 'K') return { ...pending, linkTarget: cString(data, 0, data.length) };
  const pax = parsePax(data, what);
  const next = { ...pending };
  const path = pax.get('path');
  const link = pax.get('linkpath');
  const size = pax.get('size');
  if (path !== undefined) next.name = path;
  if (link !== undefined) next.linkTarget = link;
  if (size !== undefined) {
    const n = Number(size);
    if (!Number.isSafeInteger(n) || n < 0) throw new BosunError('OCI_SOURCE_INVALID', `${what}: bad pax size "${size.slice(0, 20)}"`);
    next.size = n;
  }
  return next;
}

function makeEntry(header: Buffer, flag: string, pending: Pending, offset: number, size: number): TarEntry {
  const magic = header.subarray(257, 263).toString('latin1');
  const prefix = magic === 'ustar\0' ? cString(header, 345, 155) : '';
  const base = cString(header, 0, 100);
  const raw = pending.name ?? (prefix ? `${prefix}/${base}` : base);
  const kind = kindOf(flag);
  const linkTarget = pending.linkTarget ?? cString(header, 157, 100);
  const entry: TarEntry = { name: raw.replace(/^(\.\/)+/, ''), kind, offset, size: kind === 'file' ? size : 0 };
  if (kind === 'symlink' || kind === 'hardlink') entry.linkTarget = linkTarget;
  return entry;
}

/**
 * Validates a member name taken from untrusted metadata (manifest.json, index.json): relative,
 * no `..`, no empty or `.` segments past a leading `./`. Returns the name as the index keys it.
 * Throws OCI_PATH_UNSAFE.
 */
export function safeEntryName(name: string, what: string): string {
  const n = name.replace(/^(\.\/)+/, '');
  const segments = n.split('/');
  if (n === '' || n.startsWith('/') || n.includes('\\') || n.includes('\0') || segments.some((s) => s === '..' || s === '.' || s === '')) {
    throw new BosunError('OCI_PATH_UNSAFE', `${what}: unsafe archive entry name "${name.slice(0, 200)}"`);
  }
  return n;
}

/**
 * Looks up a regular-file member by a validated name. Symlink and hard-link members are not
 * followed. Throws OCI_PATH_UNSAFE (unsafe name), OCI_BLOB_UNKNOWN (absent),
 * OCI_SOURCE_INVALID (not a regular file).
 */
export function fileEntry(index: TarIndex, name: string, what: string): TarEntry {
  const key = safeEntryName(name, what);
  const entry = index.entries.get(key);
  if (!entry) throw new BosunError('OCI_BLOB_UNKNOWN', `${what}: archive has no entry "${key}"`);
  if (entry.kind !== 'file') {
    const verb = entry.kind === 'symlink' || entry.kind === 'hardlink' ? 'is a link (links are not followed)' : 'is not a regular file';
    throw new BosunError('OCI_SOURCE_INVALID', `${what}: archive entry "${key}" ${verb}`);
  }
  return entry;
}

/** A fresh stream of one member's data; the caller consumes or destroys it. */
export function openEntry(index: TarIndex, entry: TarEntry): Readable {
  if (entry.size === 0) return Readable.from([]);
  return createReadStream(index.path, { start: entry.offset, end: entry.offset + entry.size - 1, highWaterMark: 256 * 1024 });
}

/** Reads the first `n` bytes of a member (fewer when it is shorter). */
export async function headOf(index: TarIndex, entry: TarEntry, n: number): Promise<Buffer> {
  const fh = await open(index.path, 'r');
  try {
    const len = Math.min(n, entry.size);
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, entry.offset);
    return buf;
  } finally {
    await fh.close();
  }
}
