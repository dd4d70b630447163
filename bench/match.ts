// Matching benchmark: 10,000 packages against >= 200,000 OSV records in memory.
// Run: node --import tsx bench/match.ts [records=200000] [packages=10000]
// Matches twice: against the in-memory source, then against the same records written into a
// real SQLite database file (what `bosun image` reads), each round through a freshly opened file.
// The SQLite rounds run after the in-memory records are released and collected, as in a scan
// process, which never holds the whole database in its heap.
//
// The records are generated from the real ones in shared/advisories (Debian, npm, PyPI, Go, Maven
// shapes: their ranges, versions lists, aliases and severities, copied as they are), renamed onto
// synthetic package names: copy k of a record names `<name>-n<k>`, so every synthetic name has as many
// records as its real model (Go's stdlib hundreds, most packages a few), as in a real database.
// Packages take versions from the records' own events (some inside, some outside the ranges).
// Timed: `match()` only (lookups, range evaluation with the real comparators, merging, severity);
// the default per-ecosystem comparators; loading and indexing the records (the "DB open") is excluded and reported separately.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import path from 'node:path';
import type { Package, PackageType, Sbom } from '../src/sbom/model.js';
import type { Advisory, AdvisorySource } from '../src/vuln/advisory.js';
import { buildDatabase, DB_FILE, SqliteAdvisorySource } from '../src/vuln/db/index.js';
import { match } from '../src/vuln/match/match.js';
import { MemoryAdvisorySource, parseOsv } from '../src/vuln/match/memory-source.js';

const shared = process.env.BOSUN_SHARED ?? path.resolve(import.meta.dirname, '../../shared');
const wantRecords = Number(process.argv[2] ?? 200_000);
const wantPackages = Number(process.argv[3] ?? 10_000);

const ecosystemType: Record<string, PackageType> = { 'Debian:12': 'deb', npm: 'npm', PyPI: 'pypi', Go: 'golang', Maven: 'maven' };

function loadReal(): Advisory[] {
  const out: Advisory[] = [];
  for (const dir of ['debian-changelog', 'ghsa-subset', 'go-vulndb', 'nodejs-security-wg', 'pypa']) {
    const osv = path.join(shared, 'advisories', dir, 'osv');
    for (const f of readdirSync(osv)) out.push(parseOsv(readFileSync(path.join(osv, f), 'utf8'), f));
  }
  return out.filter((a) => !a.withdrawn && a.affected.some((x) => ecosystemType[x.ecosystem]));
}

/** A copy of a real record under a new id, its affected packages renamed to synthetic name `k`. */
function synth(t: Advisory, i: number, k: number): Advisory {
  return {
    ...t, id: `${t.id}-S${i}`, aliases: t.aliases.map((a) => `${a}-S${i}`), related: [],
    affected: t.affected.filter((a) => ecosystemType[a.ecosystem]).map((a) => ({ ...a, name: `${a.name}-n${k}` })),
  };
}

function versionsOf(t: Advisory): string[] {
  return t.affected.flatMap((a) => [...a.versions, ...a.ranges.flatMap((r) => r.events.map((e) => Object.values(e)[0] as string))]).filter((v) => v !== '0');
}

function packageFor(t: Advisory, i: number, k: number): Package | undefined {
  const a = t.affected.find((x) => ecosystemType[x.ecosystem]);
  const versions = versionsOf(t);
  if (!a || versions.length === 0) return undefined;
  const type = ecosystemType[a.ecosystem]!;
  const name = `${a.name}-n${k}`;
  const version = versions[i % versions.length]!;
  const purlName = type === 'maven' ? name.replace(':', '/') : type === 'golang' ? name : encodeURIComponent(name);
  const purl = `pkg:${type}/${type === 'deb' ? 'debian/' : ''}${purlName}@${encodeURIComponent(version)}`;
  return { id: `p${i}`, name, version, type, purl, licenses: [], locations: [{ path: `/p/${i}` }], foundBy: 'bench', metadata: type === 'deb' ? { sourceName: name, sourceVersion: version } : {} };
}

const real = loadReal();
const copies = Math.ceil(wantRecords / real.length);

function makeRecords(): Advisory[] {
  const out: Advisory[] = [];
  for (let i = 0; out.length < wantRecords; i++) out.push(synth(real[i % real.length]!, i, Math.floor(i / real.length)));
  return out;
}

// packages are drawn uniformly over distinct package names (not over records, which would favour
// the few names with hundreds of records)
const byName = new Map<string, Advisory>();
for (const a of real) for (const x of a.affected) if (ecosystemType[x.ecosystem] && !byName.has(`${x.ecosystem}/${x.name}`)) byName.set(`${x.ecosystem}/${x.name}`, { ...a, affected: [x] });
const templates = [...byName.values()];
const packages: Package[] = [];
for (let i = 0; packages.length < wantPackages; i++) {
  const p = packageFor(templates[(i * 7919) % templates.length]!, i, i % copies);
  if (p) packages.push(p);
}
const sbom: Sbom = {
  source: { kind: 'document', name: 'bench' }, os: { id: 'debian', versionId: '12' }, packages, relationships: [], problems: [],
};

// wall time and this process's CPU time (user+system): on a shared machine the CPU time is the
// figure that does not depend on the neighbours
async function timeMatch(src: AdvisorySource, rounds: number): Promise<{ ms: number[]; cpuMs: number[]; findings: number }> {
  const ms: number[] = [];
  const cpuMs: number[] = [];
  let findings = 0;
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    const cpu = process.cpuUsage();
    const result = await match(sbom, src, {});
    ms.push(Math.round(performance.now() - start));
    const used = process.cpuUsage(cpu);
    cpuMs.push(Math.round((used.user + used.system) / 1000));
    findings = result.findings.length;
  }
  return { ms, cpuMs, findings };
}

/** The in-memory rounds and the database build; the records are garbage once this returns. */
async function memoryPhase(dbDir: string): Promise<{ indexMs: number; importMs: number; memory: Awaited<ReturnType<typeof timeMatch>> }> {
  const t0 = performance.now();
  const records = makeRecords();
  const source = new MemoryAdvisorySource(records);
  const indexMs = performance.now() - t0;
  const memory = await timeMatch(source, 3);
  const importStart = performance.now();
  await buildDatabase(dbDir, async ({ writer }) => {
    for (let i = 0; i < records.length; i += 5000) writer.insertBatch('bench', records.slice(i, i + 5000));
    return { result: undefined, isChanged: true };
  }, { fresh: true });
  return { indexMs, importMs: performance.now() - importStart, memory };
}

/** A full collection, so the SQLite rounds do not pay for the in-memory phase's garbage. */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const dbDir = mkdtempSync(path.join(tmpdir(), 'bosun-bench-match-'));
const { indexMs, importMs, memory } = await memoryPhase(dbDir);
collectGarbage();
const sqlite = { ms: [] as number[], cpuMs: [] as number[], findings: 0 };
for (let r = 0; r < 3; r++) {
  const db = SqliteAdvisorySource.open(path.join(dbDir, DB_FILE));
  const round = await timeMatch(db, 1);
  db.close();
  sqlite.ms.push(...round.ms);
  sqlite.cpuMs.push(...round.cpuMs);
  sqlite.findings = round.findings;
}
rmSync(dbDir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({
  loadAverage: loadavg().map((x) => Math.round(x * 10) / 10),
  realRecords: real.length, distinctNames: templates.length, records: wantRecords, packages: packages.length,
  memory: { indexMs: Math.round(indexMs), matchMsRuns: memory.ms, matchCpuMsRuns: memory.cpuMs, findings: memory.findings, underOneSecond: Math.min(...memory.ms) < 1000 },
  sqlite: {
    buildMs: Math.round(importMs), recordsPerSecond: Math.round(wantRecords / (importMs / 1000)),
    matchMsRuns: sqlite.ms, matchCpuMsRuns: sqlite.cpuMs,
    findings: sqlite.findings, sameFindingsAsMemory: sqlite.findings === memory.findings, underOneSecond: Math.min(...sqlite.ms) < 1000,
    // the in-memory rounds of the same run as the reference: less at the mercy of the neighbours
    bestOverBestInMemory: Math.round((Math.min(...sqlite.ms) / Math.min(...memory.ms)) * 100) / 100,
  },
}, null, 2)}\n`);
