// Vulnerability-database benchmark: import ≥ 200,000 OSV records from one all.zip, then time
// 10,000 forPackage lookups (hits and misses), cold and warm.
// Run: node --import tsx bench/vuln-db.ts [records]   (the zip is cached in bench/build/)
// Records are the real ones in ../shared/advisories, copied round after round with ids,
// package names, versions and aliases varied deterministically, so sizes and shapes are real.
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
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

async function makeZip(real: Osv[]): Promise<void> {
  mkdirSync(build, { recursive: true });
  const zip = new yazl.ZipFile();
  for (let i = 0; i < total; i++) {
    const base = real[i % real.length]!;
    const round = Math.floor(i / real.length);
    const name = `${round === 0 ? base.id : `${base.id}-R${round}`}.json`;
    // lazy: yazl asks for each entry's bytes only when it writes it, so memory stays flat
    // (addBuffer deflates every entry at once, with a zlib context each)
    zip.addReadStreamLazy(name, { mtime: new Date(0) }, (cb) => cb(null, Readable.from([Buffer.from(JSON.stringify(variant(base, round)))])));
  }
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(`${zipFile}.part`));
  renameSync(`${zipFile}.part`, zipFile);
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

async function timeLookups(db: SqliteAdvisorySource, qs: ReturnType<typeof queries>): Promise<{ ms: number; hits: number; advisories: number }> {
  const t = performance.now();
  let hits = 0;
  let advisories = 0;
  for (const q of qs) {
    const found = await db.forPackage(q);
    if (found.length > 0) hits++;
    advisories += found.length;
  }
  return { ms: performance.now() - t, hits, advisories };
}

const real = realRecords();
if (!existsSync(zipFile)) {
  const t = performance.now();
  await makeZip(real);
  console.log(`generated ${total} records from ${real.length} real ones into ${zipFile} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
const dbDir = join(build, 'vuln-db');
rmSync(dbDir, { recursive: true, force: true });
const t0 = performance.now();
const [report] = await importDatabase([zipFile], { dir: dbDir, sources: ['bench'] });
const importS = (performance.now() - t0) / 1000;
console.log(`import: ${report!.records} records in ${importS.toFixed(1)} s (${Math.round(report!.records / importS)} records/s end to end incl. verify and swap; ${report!.recordsPerSecond} records/s reading+writing)`);
const db = SqliteAdvisorySource.open(join(dbDir, DB_FILE));
const qs = queries(real);
const cold = await timeLookups(db, qs);
const warm = await timeLookups(db, qs);
console.log(`lookups: ${qs.length} forPackage calls, ${cold.hits} hits returning ${cold.advisories} advisories`);
console.log(`  cold (decoding records): ${cold.ms.toFixed(0)} ms total, ${((cold.ms * 1000) / qs.length).toFixed(1)} µs each`);
console.log(`  warm (decoded-row cache): ${warm.ms.toFixed(0)} ms total, ${((warm.ms * 1000) / qs.length).toFixed(1)} µs each`);
db.close();
