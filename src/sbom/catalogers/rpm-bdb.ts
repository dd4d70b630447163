import { BosunError } from '../../errors.js';

/**
 * Reads the header blobs out of a Berkeley DB hash database (rpm's `var/lib/rpm/Packages` before
 * rpm 4.16), without Berkeley DB. Layout (spec: Berkeley DB dbinc/db_page.h, hash access method):
 *
 * ```
 * page 0   hash metadata: magic 0x061561 @12 (writer's byte order), pagesize @20, last_pgno @32
 * page n   26-byte header: pgno @8, next_pgno @16, entries @20 (u16), hf_offset @22, type @25
 *          P_HASH (13) / P_HASH_UNSORTED (2): u16 item offsets @26, key/data pairs
 *            item H_KEYDATA (1): the bytes after the type byte
 *            item H_OFFPAGE (3): pgno @4, total length @8 → a chain of overflow pages
 *          P_OVERFLOW (7): hf_offset bytes of data @26, chained by next_pgno
 * ```
 *
 * Every page is visited at most once as a hash page and once as an overflow page (a page shared by
 * two chains or a chain that loops is an error), so work is bounded by the file size.
 */

const hashMagic = 0x061561;
const pageHeaderSize = 26;
const pageType = { hashUnsorted: 2, overflow: 7, hashMeta: 8, hash: 13 } as const;
const itemType = { keyData: 1, offPage: 3 } as const;

/** One record of the database: its key (the rpm instance number) and header blob, or why it is unreadable. */
export type BdbRecord = { key: number; blob: Buffer } | { key: number; error: BosunError };

interface Db {
  buf: Buffer;
  le: boolean;
  pageSize: number;
  pages: number;
  overflowSeen: Set<number>;
}

function invalid(message: string): BosunError {
  return new BosunError('SBOM_FILE_INVALID', `berkeley db: ${message}`);
}

function u32(db: Db, at: number): number {
  return db.le ? db.buf.readUInt32LE(at) : db.buf.readUInt32BE(at);
}

function u16(db: Db, at: number): number {
  return db.le ? db.buf.readUInt16LE(at) : db.buf.readUInt16BE(at);
}

function openMeta(buf: Buffer): Db {
  if (buf.length < 512) throw invalid(`${buf.length}-byte file is shorter than a metadata page`);
  const le = buf.readUInt32LE(12) === hashMagic;
  if (!le && buf.readUInt32BE(12) !== hashMagic) throw invalid('no hash database magic');
  const db: Db = { buf, le, pageSize: 0, pages: 0, overflowSeen: new Set() };
  db.pageSize = u32(db, 20);
  if (db.pageSize < 512 || db.pageSize > 65536 || (db.pageSize & (db.pageSize - 1)) !== 0) throw invalid(`page size ${db.pageSize} is not a power of two in 512..65536`);
  if (buf[25] !== pageType.hashMeta) throw invalid(`page 0 is type ${buf[25]}, not hash metadata`);
  db.pages = Math.min(Math.floor(buf.length / db.pageSize), u32(db, 32) + 1);
  return db;
}

/** Follows an overflow chain from `pgno` until `length` bytes are collected. */
function readOverflow(db: Db, pgno: number, length: number): Buffer {
  if (length > db.buf.length) throw invalid(`off-page item of ${length} bytes is larger than the file`);
  const parts: Buffer[] = [];
  let got = 0;
  while (got < length) {
    if (pgno === 0 || pgno >= db.pages) throw invalid(`overflow chain reaches page ${pgno}, outside 1..${db.pages - 1}`);
    if (db.overflowSeen.has(pgno)) throw invalid(`overflow page ${pgno} is visited twice (a loop or a shared chain)`);
    db.overflowSeen.add(pgno);
    const at = pgno * db.pageSize;
    if (db.buf[at + 25] !== pageType.overflow) throw invalid(`page ${pgno} is type ${db.buf[at + 25]}, not overflow`);
    const used = u16(db, at + 22);
    if (used > db.pageSize - pageHeaderSize) throw invalid(`overflow page ${pgno} claims ${used} bytes`);
    const take = Math.min(used, length - got);
    parts.push(db.buf.subarray(at + pageHeaderSize, at + pageHeaderSize + take));
    got += take;
    if (used === 0) throw invalid(`overflow page ${pgno} is empty`);
    pgno = u32(db, at + 16);
  }
  return Buffer.concat(parts, got);
}

/** The bytes of item `i` of a hash page (items grow down from the page end). */
function item(db: Db, page: number, i: number): Buffer {
  const at = page * db.pageSize;
  const start = u16(db, at + pageHeaderSize + i * 2);
  const end = i === 0 ? db.pageSize : u16(db, at + pageHeaderSize + (i - 1) * 2);
  if (start < pageHeaderSize || start >= end || end > db.pageSize) throw invalid(`page ${page} item ${i} spans ${start}..${end}`);
  return db.buf.subarray(at + start, at + end);
}

function value(db: Db, it: Buffer): Buffer {
  if (it[0] === itemType.keyData) return it.subarray(1);
  if (it[0] === itemType.offPage && it.length >= 12) {
    return readOverflow(db, db.le ? it.readUInt32LE(4) : it.readUInt32BE(4), db.le ? it.readUInt32LE(8) : it.readUInt32BE(8));
  }
  throw invalid(`item type ${it[0]} is not a key/data or off-page item`);
}

function hashPageRecords(db: Db, page: number, out: BdbRecord[]): void {
  const at = page * db.pageSize;
  const entries = u16(db, at + 20);
  if (pageHeaderSize + entries * 2 > db.pageSize) throw invalid(`page ${page} claims ${entries} entries`);
  for (let i = 0; i + 1 < entries; i += 2) {
    const k = item(db, page, i);
    // rpm's keys are 4-byte instance numbers in the writer's byte order; instance 0 holds a counter
    if (k[0] !== itemType.keyData || k.length !== 5) continue;
    const key = db.le ? k.readUInt32LE(1) : k.readUInt32BE(1);
    if (key === 0) continue;
    try {
      out.push({ key, blob: value(db, item(db, page, i + 1)) });
    } catch (err) {
      out.push({ key, error: err instanceof BosunError ? err : invalid(String(err)) });
    }
  }
}

/**
 * Every record of an rpm Berkeley DB hash database, in page order. Throws SBOM_FILE_INVALID when
 * the metadata page or a hash page is unreadable; a record whose overflow chain is broken (loops,
 * leaves the file, hits a non-overflow page) is returned with its error so the rest still count.
 */
export function readBdbRecords(buf: Buffer): BdbRecord[] {
  const db = openMeta(buf);
  const out: BdbRecord[] = [];
  for (let page = 1; page < db.pages; page++) {
    const type = buf[page * db.pageSize + 25];
    if (type === pageType.hash || type === pageType.hashUnsorted) hashPageRecords(db, page, out);
  }
  return out;
}
