import { BosunError } from '../../errors.js';
import type { ByteSource } from './byte-source.js';

// spec: System V ABI, "ELF Header", "Sections" and "Program Header" (gabi41), both classes and byte orders.

export interface ElfSection {
  name: string;
  type: number;
  addr: number;
  offset: number;
  size: number;
}

export interface ElfSegment {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
}

export interface Elf {
  is64: boolean;
  littleEndian: boolean;
  sections: ElfSection[];
  segments: ElfSegment[];
}

/** Most section or program headers read from one file (real binaries have well under 100). */
const maxHeaders = 4096;
/** Largest section name table read. */
const maxNames = 1024 * 1024;
export const sectionNoBits = 8;
export const segmentLoad = 1;

const magic = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

/** True when the first bytes are the ELF magic (callers read 4+ bytes; anything shorter is false). */
export function isElf(head: Buffer): boolean {
  return head.length >= 4 && head.subarray(0, 4).equals(magic);
}

interface Reader {
  u16(b: Buffer, at: number): number;
  u32(b: Buffer, at: number): number;
  word(b: Buffer, at: number): number;
}

function reader(is64: boolean, le: boolean): Reader {
  const u64 = (b: Buffer, at: number): number => {
    const v = le ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at);
    // offsets past 2^53 cannot be in any file we read; the bounds checks reject the clamped value
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
  };
  const u32 = (b: Buffer, at: number): number => (le ? b.readUInt32LE(at) : b.readUInt32BE(at));
  return { u16: (b, at) => (le ? b.readUInt16LE(at) : b.readUInt16BE(at)), u32, word: is64 ? u64 : u32 };
}

function invalid(what: string, why: string): BosunError {
  return new BosunError('SBOM_FILE_INVALID', `${what}: malformed ELF (${why})`);
}

async function readTable(src: ByteSource, what: string, t: { offset: number; count: number; entSize: number; minEntSize: number }): Promise<Buffer[]> {
  if (t.count === 0 || t.offset === 0) return [];
  if (t.count > maxHeaders) throw new BosunError('LIMIT_EXCEEDED', `${what}: ${t.count} ELF headers, over the ${maxHeaders} limit`);
  if (t.entSize < t.minEntSize) throw invalid(what, `header entries of ${t.entSize} bytes`);
  if (t.offset + t.count * t.entSize > src.size) throw invalid(what, 'header table past the end of the file');
  const raw = await src.read(t.offset, t.count * t.entSize);
  return Array.from({ length: t.count }, (_, i) => raw.subarray(i * t.entSize, (i + 1) * t.entSize));
}

/**
 * Reads an ELF file's program and section headers (and section names). Returns undefined when the
 * file is not ELF; throws SBOM_FILE_INVALID for a malformed one and LIMIT_EXCEEDED past the caps.
 * Reads only the header, the two header tables and the section name table.
 */
export async function readElf(src: ByteSource, what: string): Promise<Elf | undefined> {
  if (src.size < 52) return undefined;
  const head = await src.read(0, Math.min(64, src.size));
  if (!isElf(head)) return undefined;
  const cls = head[4];
  const data = head[5];
  if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2)) throw invalid(what, 'unknown class or byte order');
  const is64 = cls === 2;
  if (is64 && head.length < 64) throw invalid(what, 'truncated header');
  const r = reader(is64, data === 1);
  const at = is64 ? { ph: 32, sh: 40, phe: 54 } : { ph: 28, sh: 32, phe: 42 };
  const phdrs = await readTable(src, what, { offset: r.word(head, at.ph), count: r.u16(head, at.phe + 2), entSize: r.u16(head, at.phe), minEntSize: is64 ? 56 : 32 });
  const shdrs = await readTable(src, what, { offset: r.word(head, at.sh), count: r.u16(head, at.phe + 6), entSize: r.u16(head, at.phe + 4), minEntSize: is64 ? 64 : 40 });
  const segments = phdrs.map((b) =>
    is64
      ? { type: r.u32(b, 0), flags: r.u32(b, 4), offset: r.word(b, 8), vaddr: r.word(b, 16), filesz: r.word(b, 32) }
      : { type: r.u32(b, 0), flags: r.u32(b, 24), offset: r.u32(b, 4), vaddr: r.u32(b, 8), filesz: r.u32(b, 16) },
  );
  const raw = shdrs.map((b) =>
    is64
      ? { nameAt: r.u32(b, 0), type: r.u32(b, 4), addr: r.word(b, 16), offset: r.word(b, 24), size: r.word(b, 32) }
      : { nameAt: r.u32(b, 0), type: r.u32(b, 4), addr: r.u32(b, 12), offset: r.u32(b, 16), size: r.u32(b, 20) },
  );
  const names = await nameTable(src, what, raw[r.u16(head, at.phe + 8)]);
  const sections = raw.map((s) => ({ name: cString(names, s.nameAt), type: s.type, addr: s.addr, offset: s.offset, size: s.size }));
  return { is64, littleEndian: data === 1, sections, segments };
}

async function nameTable(src: ByteSource, what: string, s: { type: number; offset: number; size: number } | undefined): Promise<Buffer> {
  if (!s || s.type === sectionNoBits || s.size === 0) return Buffer.alloc(0);
  if (s.size > maxNames) throw new BosunError('LIMIT_EXCEEDED', `${what}: ${s.size}-byte section name table`);
  if (s.offset + s.size > src.size) throw invalid(what, 'section name table past the end of the file');
  return src.read(s.offset, s.size);
}

function cString(buf: Buffer, at: number): string {
  if (at >= buf.length) return '';
  const end = buf.indexOf(0, at);
  return buf.toString('latin1', at, end < 0 ? buf.length : end);
}

/** The bytes of a named section, or undefined when absent or without file data. Bounded by `max`. */
export async function sectionData(src: ByteSource, elf: Elf, name: string, what: string, max: number): Promise<Buffer | undefined> {
  const s = elf.sections.find((x) => x.name === name);
  if (!s || s.type === sectionNoBits) return undefined;
  if (s.size > max) throw new BosunError('LIMIT_EXCEEDED', `${what}: section ${name} is ${s.size} bytes, over the ${max}-byte limit`);
  if (s.offset + s.size > src.size) throw invalid(what, `section ${name} past the end of the file`);
  return src.read(s.offset, s.size);
}

/** The file offset of a virtual address inside a loaded segment, or undefined. */
export function fileOffset(elf: Elf, vaddr: number, length: number): number | undefined {
  const seg = elf.segments.find((s) => s.type === segmentLoad && vaddr >= s.vaddr && vaddr + length <= s.vaddr + s.filesz);
  return seg ? seg.offset + (vaddr - seg.vaddr) : undefined;
}
