import type { ByteSource } from './byte-source.js';
import type { Elf } from './elf.js';
import { sectionNoBits } from './elf.js';

/** Bytes per read while scanning; consecutive windows overlap by `overlap` so no match is split. */
const window = 1024 * 1024;
const overlap = 512;

/**
 * Finds the first match of `pattern` (group 1, else the whole match) in a byte range, read in
 * bounded windows so memory stays flat. Matches must be shorter than 512 bytes. The pattern is
 * applied to latin1 text, so it may name any byte (`\x00`).
 */
export async function scanRange(src: ByteSource, range: { offset: number; size: number }, pattern: RegExp): Promise<string | undefined> {
  const end = Math.min(src.size, range.offset + range.size);
  for (let at = range.offset; at < end; at += window) {
    const len = Math.min(window + overlap, end - at);
    const m = pattern.exec((await src.read(at, len)).toString('latin1'));
    if (m) return m[1] ?? m[0];
  }
  return undefined;
}

/**
 * Where compilers put constant strings: `.rodata` when the section table names it, else the whole
 * file up to `max` bytes (a binary stripped of its section table).
 */
export function stringsRange(elf: Elf | undefined, fileSize: number, max: number): { offset: number; size: number } {
  const ro = elf?.sections.find((s) => s.name === '.rodata' && s.type !== sectionNoBits);
  if (ro && ro.offset + ro.size <= fileSize) return { offset: ro.offset, size: Math.min(ro.size, max) };
  return { offset: 0, size: Math.min(fileSize, max) };
}
