// Vulnerability-database benchmark: import ≥ 200,000 OSV records from one all.zip, then time
// 10,000 forPackage lookups (hits and misses), twice: first touching the file's pages, then again.
// Run: node --import tsx bench/vuln-db.ts [records]   (the zip is cached in bench/build/;
// BENCH_REUSE_DB=1 also reuses the database built by a previous run and times lookups only)
// Records are the real ones in ../shared/advisories, copied round after round with ids,
// package names, versions and aliases varied deterministically, so sizes and shapes are real.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { DB_FILE, importDatabase, splitEcosystem, SqliteAdvisorySource } from '../src/vuln/db/index.js';

interface Osv {
  id: string;
  aliases?: string[];
  affected?: Array<{ package?: { ecosystem: string; name: string }; ranges?: Array<{ events: Array<Record<string, string>> }>; versions?: string[] }>;
}

const total = Number(process.argv[2] ?? 200_000);
const build = resolve(import.meta.dirname, 'build');
const shared = resolve(process.env.BOSUN_SHARED ?? resolve(import.meta.dirname, '../../shared'), 'advisories');
const zipFile = join(build, `osv-${total}.zip`);

function realRecords(): Osv[] {
  return readdirSync(shared).flatMap((src) => {
    const dir = join(shared, src, 'osv');
    return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Osv) : [];
  });
}

/** Round `r` of a record: round 0 is the record itself; later rounds rename and bump versions. */
function variant(rec: Osv, r: number): Osv {
  if (r === 0) return rec;
  const bump = (v: string) => v.replace(/(\d+)$/, (d) => String(Number(d) + r));
  return {
    ...rec,
    id: `${rec.id}-R${r}`,
    aliases: (rec.aliases ?? []).map((a) => `${a}-R${r}`),
    affected: (rec.affected ?? []).map((a) => ({
      ...a,
      ...(a.package ? { package: { ...a.package, name: `${a.package.name}-r${r}` } } : {}),
      ranges: (a.ranges ?? []).map((g) => ({ ...g, events: g.events.map((e) => Object.fromEntries(Object.entries(e).map(([k, v]) => [k, v === '0' ? v : bump(v)]))) })),
      versions: (a.versions ?? []).map(bump),
    })),
  };
}

/**
 * Writes the generated records as one deflated zip (zip64, since there are more than 65,535
 * entries). A minimal writer rather than yazl: yazl's per-entry streams and JS CRC-32 took over
 * ten minutes for 200,000 entries on a busy machine, and its addBuffer deflates every entry at
 * once (one zlib context each), which ran out of memory.
 */
function makeZip(real: Osv[]): void {
  mkdirSync(build, { recursive: true });
  const fd = openSync(`${zipFile}.part`, 'w');
  const central: Buffer[] = [];
  let offset = 0;
  const write = (b: Buffer) => {
    writeSync(fd, b);
    offset += b.length;
  };
  for (let i = 0; i < total; i++) {
    const rec = variant(real[i % real.length]!, Math.floor(i / real.length));
    const name = Buffer.from(`${rec.id}.json`);
    const data = Buffer.from(JSON.stringify(rec));
    const packed = deflateRawSync(data);
    const fields = { crc: crc32(data), csize: packed.length, usize: data.length, name };
    central.push(header(0x02014b50, fields, offset));
    write(header(0x04034b50, fields));
    write(packed);
  }
  const cd = Buffer.concat(central);
  const cdOffset = offset;
  write(cd);
  const zip64 = Buffer.alloc(56 + 20 + 22);
  zip64.writeUInt32LE(0x06064b50, 0); // zip64 end of central directory record
  zip64.writeBigUInt64LE(44n, 4);
  zip64.writeUInt16LE(45, 12);
  zip64.writeUInt16LE(45, 14);
  zip64.writeBigUInt64LE(BigInt(total), 24);
  zip64.writeBigUInt64LE(BigInt(total), 32);
  zip64.writeBigUInt64LE(BigInt(cd.length), 40);
  zip64.writeBigUInt64LE(BigInt(cdOffset), 48);
  zip64.writeUInt32LE(0x07064b50, 56); // zip64 locator
  zip64.writeBigUInt64LE(BigInt(offset), 64);
  zip64.writeUInt32LE(1, 72);
  zip64.writeUInt32LE(0x06054b50, 76); // end of central directory, counts deferred to zip64
  zip64.writeUInt16LE(0xffff, 84);
  zip64.writeUInt16LE(0xffff, 86);
  zip64.writeUInt32LE(cd.length, 88);
  zip64.writeUInt32LE(cdOffset, 92);
  write(zip64);
  closeSync(fd);
  renameSync(`${zipFile}.part`, zipFile);
}

/** A local (`0x04034b50`) or central (`0x02014b50`, with `localOffset`) header of a deflated entry. */
function header(sig: number, f: { crc: number; csize: number; usize: number; name: Buffer }, localOffset?: number): Buffer {
  const isCentral = localOffset !== undefined;
  const h = Buffer.alloc((isCentral ? 46 : 30) + f.name.length);
  let o = 0;
  const u16 = (v: number) => (o = h.writeUInt16LE(v, o));
  const u32 = (v: number) => (o = h.writeUInt32LE(v >>> 0, o));
  u32(sig);
  if (isCentral) u16(20);
  u16(20); // version needed
  u16(0x0800); // UTF-8 names
  u16(8); // deflate
  u16(0); // time
  u16(0x21); // date: 1980-01-01
  u32(f.crc);
  u32(f.csize);
  u32(f.usize);
  u16(f.name.length);
  u16(0); // extra
  if (isCentral) {
    u16(0); // comment
    u16(0); // disk
    u16(0); // internal attributes
    u32(0); // external attributes
    u32(localOffset);
  }
  f.name.copy(h, o);
  return h;
}

/**
 * 10,000 queries: 7,000 packages that exist (distinct packages, as a matcher looks each installed
 * package up once, spread over every round), 3,000 that do not.
 */
function queries(real: Osv[]): Array<{ ecosystem: string; release?: string; name: string }> {
  const all = real.flatMap((r) => (r.affected ?? []).flatMap((a) => (a.package ? [a.package] : [])));
  const pkgs = [...new Map(all.map((p) => [`${p.ecosystem}\0${p.name}`, p])).values()];
  const rounds = Math.ceil(total / real.length);
  const out: Array<{ ecosystem: string; release?: string; name: string }> = [];
  for (let i = 0; i < 10_000; i++) {
    const p = pkgs[(i * 7919) % pkgs.length]!;
    const { ecosystem, release } = splitEcosystem(p.ecosystem);
    const r = i % rounds;
    const name = i % 10 < 7 ? (r === 0 ? p.name : `${p.name}-r${r}`) : `${p.name}-missing-${i}`;
    out.push({ ecosystem, ...(release ? { release } : {}), name });
  }
  return out;
}

/** Wall time and this process's CPU time (user + system): on a shared machine the CPU time is
 * what the lookups cost; the wall time includes waiting for a core. */
async function timeLookups(db: SqliteAdvisorySource, qs: ReturnType<typeof queries>): Promise<{ ms: number; cpuMs: number; sysMs: number; hits: number; advisories: number }> {
  const t = performance.now();
  const cpu = process.cpuUsage();
  let hits = 0;
  let advisories = 0;
  for (const q of qs) {
    const found = await db.forPackage(q);
    if (found.length > 0) hits++;
    advisories += found.length;
  }
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - t, cpuMs: (used.user + used.system) / 1000, sysMs: used.system / 1000, hits, advisories };
}

const real = realRecords();
if (!existsSync(zipFile)) {
  const t = performance.now();
  makeZip(real);
  console.log(`generated ${total} records from ${real.length} real ones into ${zipFile} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
const dbDir = join(build, `vuln-db-${total}`);
if (process.env.BENCH_REUSE_DB !== '1' || !existsSync(join(dbDir, DB_FILE))) {
  rmSync(dbDir, { recursive: true, force: true });
  const t0 = performance.now();
  const cpu = process.cpuUsage();
  const [report] = await importDatabase([zipFile], { dir: dbDir, sources: ['bench'] });
  const importS = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuS = (used.user + used.system) / 1e6;
  console.log(`import: ${report!.records} records in ${importS.toFixed(1)} s wall, ${cpuS.toFixed(1)} s CPU (${Math.round(report!.records / importS)} records/s wall, ${Math.round(report!.records / cpuS)} records/s of CPU; incl. verify and swap)`);
}
const db = SqliteAdvisorySource.open(join(dbDir, DB_FILE));
const qs = queries(real);
const first = await timeLookups(db, qs);
const again = await timeLookups(db, qs);
console.log(`lookups: ${qs.length} forPackage calls, ${first.hits} hits returning ${first.advisories} advisories`);
for (const [label, r] of [['first (file pages touched for the first time)', first], ['again (pages mapped; records decoded again)', again]] as const) {
  console.log(`  ${label}: ${r.ms.toFixed(0)} ms wall, ${r.cpuMs.toFixed(0)} ms CPU total (${r.sysMs.toFixed(0)} ms system); ${((r.ms * 1000) / qs.length).toFixed(1)} µs wall each`);
}
db.close();
