import { BosunError } from '../../errors.js';
import type { ByteSource } from './byte-source.js';
import type { Elf } from './elf.js';
import { fileOffset, sectionData, segmentLoad } from './elf.js';

/** One module line of the build info (`mod`, `dep`), with its `=>` replacement if any. */
export interface GoModule {
  path: string;
  version: string;
  sum?: string;
  replace?: GoModule;
}

/** What `go version -m` prints, decoded. spec: runtime/debug BuildInfo and its String/ParseBuildInfo. */
export interface GoBuildInfo {
  /** `go1.21.5` as the toolchain wrote it. */
  goVersion: string;
  /** The main package's import path (`path`). */
  path?: string;
  main?: GoModule;
  deps: GoModule[];
  /** `build` lines in order: `-ldflags`, `CGO_ENABLED`, `GOOS`, `GOARCH`, `vcs.revision`… */
  settings: Array<{ key: string; value: string }>;
}

export const goLimits = {
  /** Largest `.go.buildinfo` section, and largest string read through a pointer. */
  maxInfoBytes: 4 * 1024 * 1024,
  /** How much of the data segment is searched for the magic when there is no section table. */
  maxScanBytes: 64 * 1024 * 1024,
} as const;

const magic = Buffer.from('\xff Go buildinf:', 'latin1');
const headerSize = 32;
const align = 16;

function invalid(what: string, why: string): BosunError {
  return new BosunError('SBOM_FILE_INVALID', `${what}: unreadable Go build info (${why})`);
}

/** A uvarint-prefixed string (the 1.18+ inline layout); returns the string and the rest. */
function varString(buf: Buffer, at: number, what: string): { s: string; next: number } {
  let len = 0;
  let shift = 0;
  let i = at;
  for (;; i++) {
    if (i >= buf.length || shift > 28) throw invalid(what, 'bad length prefix');
    const b = buf[i] as number;
    len += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) break;
  }
  const start = i + 1;
  if (start + len > buf.length) throw invalid(what, 'string past the end of the section');
  return { s: buf.toString('utf8', start, start + len), next: start + len };
}

async function pointerString(src: ByteSource, elf: Elf, addr: number, h: { ptr: number; le: boolean }, what: string): Promise<string> {
  const headAt = fileOffset(elf, addr, h.ptr * 2);
  if (headAt === undefined) throw invalid(what, 'string header outside any loaded segment');
  const head = await src.read(headAt, h.ptr * 2);
  const word = (at: number): number => (h.ptr === 8 ? Number(h.le ? head.readBigUInt64LE(at) : head.readBigUInt64BE(at)) : h.le ? head.readUInt32LE(at) : head.readUInt32BE(at));
  const dataAddr = word(0);
  const len = word(h.ptr);
  if (len > goLimits.maxInfoBytes) throw new BosunError('LIMIT_EXCEEDED', `${what}: a ${len}-byte build info string`);
  if (len === 0) return '';
  const at = fileOffset(elf, dataAddr, len);
  if (at === undefined) throw invalid(what, 'string data outside any loaded segment');
  return (await src.read(at, len)).toString('utf8');
}

/**
 * Finds the 32-byte header: the `.go.buildinfo` section, else (a binary stripped of its section
 * table) a 16-aligned magic in the first writable segment.
 */
async function findBlob(src: ByteSource, elf: Elf, what: string): Promise<Buffer | undefined> {
  const section = await sectionData(src, elf, '.go.buildinfo', what, goLimits.maxInfoBytes);
  if (section) return section;
  // Go's linker has written `.go.buildinfo` since the magic exists (1.13): with a section table and
  // no such section this is not a Go binary, and searching its data would cost a pass for nothing
  if (elf.sections.length > 0) return undefined;
  const data = elf.segments.find((s) => s.type === segmentLoad && (s.flags & 7) === 6);
  if (!data || data.offset + data.filesz > src.size) return undefined;
  const end = data.offset + Math.min(data.filesz, goLimits.maxScanBytes);
  const window = 1024 * 1024;
  for (let at = data.offset; at < end; at += window) {
    const len = Math.min(window + headerSize, end - at);
    const buf = await src.read(at, len);
    for (let i = buf.indexOf(magic); i >= 0; i = buf.indexOf(magic, i + 1)) {
      if ((at + i - data.offset) % align !== 0) continue;
      const rest = Math.min(goLimits.maxInfoBytes, end - (at + i));
      return src.read(at + i, rest);
    }
  }
  return undefined;
}

/**
 * Reads a Go binary's build info: both the 1.18+ inline layout (flag bit 2; varint strings after
 * the header) and the older pointer layout (two addresses of Go string headers, translated through
 * the loaded segments). Returns undefined for an ELF that is not a Go binary (no magic, or no Go
 * version). Throws SBOM_FILE_INVALID for a damaged blob and LIMIT_EXCEEDED past `goLimits`.
 */
export async function readGoBuildInfo(src: ByteSource, elf: Elf, what: string): Promise<GoBuildInfo | undefined> {
  const blob = await findBlob(src, elf, what);
  if (!blob || blob.length < headerSize || !blob.subarray(0, magic.length).equals(magic)) return undefined;
  const ptr = blob[14] as number;
  const flags = blob[15] as number;
  let version: string;
  let modinfo: string;
  if (flags & 2) {
    const v = varString(blob, headerSize, what);
    version = v.s;
    modinfo = varString(blob, v.next, what).s;
  } else {
    if (ptr !== 4 && ptr !== 8) throw invalid(what, `pointer size ${ptr}`);
    const h = { ptr, le: flags === 0 };
    const addr = (at: number): number => (ptr === 8 ? Number(h.le ? blob.readBigUInt64LE(at) : blob.readBigUInt64BE(at)) : h.le ? blob.readUInt32LE(at) : blob.readUInt32BE(at));
    version = await pointerString(src, elf, addr(16), h, what);
    modinfo = await pointerString(src, elf, addr(16 + ptr), h, what);
  }
  if (!version) return undefined;
  // the module info is framed by two 16-byte sentinels (cmd/go's infoStart/infoEnd)
  const framed = modinfo.length >= 33 && modinfo[modinfo.length - 17] === '\n';
  return { goVersion: version, ...parseModInfo(framed ? modinfo.slice(16, -16) : '') };
}

function unquote(s: string): string {
  if (!s.startsWith('"')) return s;
  try {
    return JSON.parse(s) as string;
  } catch {
    return s;
  }
}

function moduleOf(fields: string[]): GoModule {
  const [path = '', version = '', sum] = fields;
  return { path, version, ...(sum ? { sum } : {}) };
}

/**
 * Parses the module info text (`path`, `mod`, `dep`, `=>`, `build` lines, tab-separated). An `=>`
 * line replaces the module on the line before it. Unknown lines are ignored, as Go does for
 * forward compatibility.
 */
export function parseModInfo(text: string): Omit<GoBuildInfo, 'goVersion'> {
  const out: Omit<GoBuildInfo, 'goVersion'> = { deps: [], settings: [] };
  let last: GoModule | undefined;
  for (const line of text.split('\n')) {
    const [kind, ...fields] = line.split('\t');
    if (kind === 'path' && fields[0]) out.path = fields[0];
    else if (kind === 'mod' && fields[0]) last = out.main = moduleOf(fields);
    else if (kind === 'dep' && fields[0]) out.deps.push((last = moduleOf(fields)));
    else if (kind === '=>' && fields[0] && last) last.replace = moduleOf(fields);
    else if (kind === 'build' && fields[0]) {
      const raw = fields.join('\t');
      const m = /^("(?:[^"\\]|\\.)*"|[^=]*)=(.*)$/.exec(raw);
      out.settings.push(m ? { key: unquote(m[1] ?? ''), value: unquote(m[2] ?? '') } : { key: raw, value: '' });
    }
  }
  return out;
}
