import { BosunError } from '../../errors.js';
import { sbomLimits } from '../limits.js';

/**
 * Tag numbers read from an installed header. spec: rpm doc/manual/tags.md and lib/rpmtag.h.
 */
export const rpmTags = {
  name: 1000, version: 1001, release: 1002, epoch: 1003, size: 1009, vendor: 1011, license: 1014,
  arch: 1022, sourceRpm: 1044, provideName: 1047, requireName: 1049, dirIndexes: 1116, baseNames: 1117,
  dirNames: 1118, longSize: 5009, modularityLabel: 5096,
} as const;

/** Region tags (HEADER_IMAGE, HEADER_SIGNATURES, HEADER_IMMUTABLE) mark a signed region, not data. */
const regionTags = new Set([61, 62, 63]);

/** Header value types and the byte width of one element (0 for NUL-terminated strings). */
const typeWidth: Record<number, number> = { 0: 0, 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 0, 7: 1, 8: 0, 9: 0 };
const stringTypes = new Set([6, 8, 9]);

/** Caps from rpm's own header checks (hdrchkTags, hdrchkData), tightened to what packages use. */
export const rpmHeaderLimits = { indexEntries: 0xffff, dataBytes: 64 * 1024 * 1024 } as const;

/** What bosun keeps of one installed package header. */
export interface RpmHeader {
  name: string;
  version: string;
  release: string;
  epoch?: number;
  arch?: string;
  sourceRpm?: string;
  license?: string;
  vendor?: string;
  modularityLabel?: string;
  size?: number;
  files: string[];
  provides: string[];
  requires: string[];
}

type Value = string[] | number[];

function invalid(message: string): BosunError {
  return new BosunError('SBOM_FILE_INVALID', `rpm header: ${message}`);
}

/** Reads `count` NUL-terminated strings starting at `start`, all inside `data`. */
function readStrings(data: Buffer, start: number, count: number): string[] {
  const out: string[] = [];
  let at = start;
  for (let i = 0; i < count; i++) {
    const end = data.indexOf(0, at);
    if (end < 0) throw invalid(`string at offset ${at} runs past the data store`);
    out.push(data.toString('utf8', at, end));
    at = end + 1;
  }
  return out;
}

function readNumbers(data: Buffer, type: number, start: number, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    if (type === 3) out.push(data.readUInt16BE(start + i * 2));
    else if (type === 4) out.push(data.readUInt32BE(start + i * 4));
    else if (type === 5) out.push(Number(data.readBigUInt64BE(start + i * 8)));
    else out.push(data.readUInt8(start + i));
  }
  return out;
}

interface IndexEntry {
  tag: number;
  type: number;
  offset: number;
  count: number;
}

/** Checks any index entry (read or not, as rpm's hdrblobVerifyInfo does): known type, value inside the data store. */
function checkEntry(data: Buffer, e: IndexEntry): void {
  const width = typeWidth[e.type];
  if (width === undefined) throw invalid(`tag ${e.tag} has unknown type ${e.type}`);
  if (e.offset < 0 || e.offset >= data.length) throw invalid(`tag ${e.tag} offset ${e.offset} is outside the ${data.length}-byte data store`);
  if (e.count < 1 || e.count > data.length) throw invalid(`tag ${e.tag} count ${e.count} is impossible`);
  if (e.offset + e.count * width > data.length) throw invalid(`tag ${e.tag} runs past the data store`);
}

/** One checked index entry's value; strings must end inside the data store. */
function readEntry(data: Buffer, e: IndexEntry): Value {
  if (stringTypes.has(e.type)) return readStrings(data, e.offset, e.type === 6 ? 1 : e.count);
  return readNumbers(data, e.type, e.offset, e.count);
}

/**
 * Reads the tags bosun wants from a header blob as rpm stores it in its database: `il` and `dl`
 * (big-endian int32), `il` 16-byte index entries (tag, type, offset, count), then `dl` bytes of
 * data. spec: rpm doc/manual/format.md, "Header structure". Every offset and count is checked
 * against the data store; region tags are skipped. Throws SBOM_FILE_INVALID for a malformed blob
 * and LIMIT_EXCEEDED for counts past `rpmHeaderLimits`.
 */
export function readHeaderTags(blob: Buffer, wanted: ReadonlySet<number>): Map<number, Value> {
  if (blob.length < 8) throw invalid(`${blob.length}-byte blob is shorter than its preamble`);
  const il = blob.readInt32BE(0);
  const dl = blob.readInt32BE(4);
  if (il < 1 || dl < 0) throw invalid(`index count ${il} or data length ${dl} is impossible`);
  if (il > rpmHeaderLimits.indexEntries || dl > rpmHeaderLimits.dataBytes) {
    throw new BosunError('LIMIT_EXCEEDED', `rpm header: ${il} index entries / ${dl} data bytes is past the cap`);
  }
  const dataStart = 8 + il * 16;
  if (dataStart + dl > blob.length) throw invalid(`index and data (${dataStart + dl} bytes) run past the ${blob.length}-byte blob`);
  const data = blob.subarray(dataStart, dataStart + dl);
  const out = new Map<number, Value>();
  for (let i = 0; i < il; i++) {
    const at = 8 + i * 16;
    const e = { tag: blob.readInt32BE(at), type: blob.readUInt32BE(at + 4), offset: blob.readInt32BE(at + 8), count: blob.readUInt32BE(at + 12) };
    if (regionTags.has(e.tag)) {
      // the region trailer (16 bytes at `offset`) must itself be inside the data store
      if (i !== 0 || e.type !== 7 || e.count !== 16 || e.offset < 0 || e.offset + 16 > dl) throw invalid(`region tag ${e.tag} is malformed`);
      continue;
    }
    checkEntry(data, e);
    if (wanted.has(e.tag)) out.set(e.tag, readEntry(data, e));
  }
  return out;
}

const wantedTags = new Set<number>(Object.values(rpmTags));

function str(tags: Map<number, Value>, tag: number): string | undefined {
  const v = tags.get(tag)?.[0];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function num(tags: Map<number, Value>, tag: number): number | undefined {
  const v = tags.get(tag)?.[0];
  return typeof v === 'number' ? v : undefined;
}

function strings(tags: Map<number, Value>, tag: number): string[] {
  return (tags.get(tag) ?? []).filter((v): v is string => typeof v === 'string');
}

/** Owned files: DIRNAMES[DIRINDEXES[i]] + BASENAMES[i], capped at `filesPerPackage`. */
function ownedFiles(tags: Map<number, Value>): string[] {
  const base = strings(tags, rpmTags.baseNames);
  const dirs = strings(tags, rpmTags.dirNames);
  const idx = (tags.get(rpmTags.dirIndexes) ?? []) as number[];
  if (base.length !== idx.length) throw invalid(`${base.length} BASENAMES but ${idx.length} DIRINDEXES`);
  const out: string[] = [];
  for (let i = 0; i < base.length && out.length < sbomLimits.filesPerPackage; i++) {
    const dir = dirs[idx[i] as number];
    if (dir === undefined) throw invalid(`DIRINDEXES[${i}] = ${idx[i]} is past the ${dirs.length} DIRNAMES`);
    out.push(`${dir}${base[i]}`);
  }
  return out;
}

/** Parses an installed package header (see `readHeaderTags`); NAME, VERSION and RELEASE are required. */
export function parseRpmHeader(blob: Buffer): RpmHeader {
  const tags = readHeaderTags(blob, wantedTags);
  const name = str(tags, rpmTags.name);
  const version = str(tags, rpmTags.version);
  const release = str(tags, rpmTags.release);
  if (!name || !version || !release) throw invalid('no NAME, VERSION or RELEASE tag');
  const opt = <T>(k: string, v: T | undefined): Record<string, T> => (v === undefined ? {} : { [k]: v });
  return {
    name, version, release,
    ...opt('epoch', num(tags, rpmTags.epoch)),
    ...opt('arch', str(tags, rpmTags.arch)),
    ...opt('sourceRpm', str(tags, rpmTags.sourceRpm)),
    ...opt('license', str(tags, rpmTags.license)),
    ...opt('vendor', str(tags, rpmTags.vendor)),
    ...opt('modularityLabel', str(tags, rpmTags.modularityLabel)),
    ...opt('size', num(tags, rpmTags.longSize) ?? num(tags, rpmTags.size)),
    files: ownedFiles(tags),
    provides: strings(tags, rpmTags.provideName),
    requires: strings(tags, rpmTags.requireName),
  };
}
