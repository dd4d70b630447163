// Imports every real record in shared/advisories and checks what the database answers against
// the JSON files themselves.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { BosunError } from '../../../src/errors.js';
import { DB_FILE, dbStatus, importDatabase, SqliteAdvisorySource, type ImportReport } from '../../../src/vuln/db/index.js';
import { osvDir, readSource, sources, type OsvJson } from './helpers.js';
import { tempDir } from '../../helpers/temp-dir.js';

let tmpDir: string;
let db: SqliteAdvisorySource;
let reports: ImportReport[];
const records = new Map<string, Array<{ file: string; record: OsvJson }>>();
const all = () => [...records.values()].flat().map((r) => r.record);

before(async () => {
  tmpDir = await tempDir('vuln-db-real');
  for (const s of sources) records.set(s, await readSource(s));
  reports = await importDatabase(sources.map(osvDir), { dir: tmpDir, sources: [...sources] });
  db = SqliteAdvisorySource.open(join(tmpDir, DB_FILE));
});
after(async () => {
  db?.close();
});

test('every record of every source is stored: counts equal the file counts', () => {
  for (const r of reports) {
    assert.equal(r.rejected, 0, `${r.source}: ${JSON.stringify(r.problems)}`);
    assert.equal(r.records, records.get(r.source)!.length, r.source);
  }
  const status = dbStatus(tmpDir);
  assert.equal(status.advisories, all().length);
  assert.equal(status.withdrawn, all().filter((r) => r.withdrawn).length);
  assert.deepEqual(status.sources.map((s) => [s.name, s.records]), sources.map((s) => [s, records.get(s)!.length]));
});

test('counts per ecosystem and release equal the distinct records naming them in the files', () => {
  const want = new Map<string, Set<string>>();
  for (const r of all()) {
    for (const a of r.affected ?? []) {
      if (!a.package) continue;
      const [eco, release = ''] = a.package.ecosystem.split(/:(.*)/s);
      const key = `${eco}|${release}`;
      if (!want.has(key)) want.set(key, new Set());
      want.get(key)!.add(r.id);
    }
  }
  const got = dbStatus(tmpDir).ecosystems.map((e) => [`${e.ecosystem}|${e.release}`, e.advisories]);
  assert.deepEqual(new Map(got as Array<[string, number]>), new Map([...want].map(([k, v]) => [k, v.size])));
});

/** Ids the files say affect a package, computed straight from the JSON (exact names). */
function expectedIds(ecosystem: string, names: (n: string) => boolean): string[] {
  const ids = all()
    .filter((r) => !r.withdrawn && (r.affected ?? []).some((a) => a.package?.ecosystem === ecosystem && names(a.package.name)))
    .map((r) => r.id);
  return [...new Set(ids)].sort();
}

const lookups = [
  { query: { ecosystem: 'PyPI', name: 'JINJA2' }, eco: 'PyPI', names: (n: string) => n.toLowerCase() === 'jinja2' },
  { query: { ecosystem: 'PyPI', name: 'JW_Util' }, eco: 'PyPI', names: (n: string) => /^jw[-_.]util$/i.test(n) }, // PEP 503
  { query: { ecosystem: 'npm', name: 'lodash' }, eco: 'npm', names: (n: string) => n === 'lodash' },
  { query: { ecosystem: 'Go', name: 'stdlib' }, eco: 'Go', names: (n: string) => n === 'stdlib' },
  { query: { ecosystem: 'Maven', name: 'org.yaml:snakeyaml' }, eco: 'Maven', names: (n: string) => n === 'org.yaml:snakeyaml' },
  { query: { ecosystem: 'Debian', release: '12', name: 'openssl' }, eco: 'Debian:12', names: (n: string) => n === 'openssl' },
] as const;
for (const c of lookups) {
  test(`forPackage ${JSON.stringify(c.query)} returns exactly the non-withdrawn records naming it`, async () => {
    const want = expectedIds(c.eco, c.names);
    assert.ok(want.length > 0, 'the case must hit something');
    assert.deepEqual((await db.forPackage(c.query)).map((a) => a.id), want);
  });
}

test('hand-checked: GO-2020-0001 covers gin before 1.6.0, with its aliases', async () => {
  const hit = (await db.forPackage({ ecosystem: 'Go', name: 'github.com/gin-gonic/gin' })).find((a) => a.id === 'GO-2020-0001');
  assert.ok(hit);
  assert.deepEqual(hit.affected[0]?.ranges[0]?.events, [{ introduced: '0' }, { fixed: '1.6.0' }]);
  assert.deepEqual(hit.aliases, ['CVE-2020-36567', 'GHSA-6vm3-jj99-7229']);
});

test('withdrawn records are stored but never returned by forPackage', async () => {
  const w = db.get('GO-2022-0617');
  assert.equal(w?.withdrawn, '2024-08-21T16:25:56Z');
  const ids = (await db.forPackage({ ecosystem: 'Go', name: 'k8s.io/kubernetes' })).map((a) => a.id);
  assert.ok(ids.length > 0);
  assert.ok(!ids.includes('GO-2022-0617'));
});

test('releases: a Debian 12 record is invisible to Debian 11 and to a release-less query', async () => {
  assert.deepEqual(await db.forPackage({ ecosystem: 'Debian', release: '11', name: 'openssl' }), []);
  assert.deepEqual(await db.forPackage({ ecosystem: 'Debian', name: 'openssl' }), []);
  assert.deepEqual(await db.forPackage({ ecosystem: 'npm', name: 'no-such-package-anywhere' }), []);
});

test('alias groups join one vulnerability across sources (PYSEC ↔ GHSA ↔ CVE)', () => {
  const group = db.aliasGroup('PYSEC-2023-74');
  assert.ok(group.includes('GHSA-j8r2-6x86-q33q'), group.join(' '));
  assert.deepEqual(db.aliasGroup('GHSA-j8r2-6x86-q33q'), group);
  const cve = group.find((id) => id.startsWith('CVE-'));
  assert.ok(cve);
  assert.deepEqual(db.aliasGroup(cve), group); // an alias finds its group too
  assert.deepEqual(db.aliasGroup('NOPE-1'), []);
});

test('a record answering several queries of one call is one object, decoded afresh by the next call', async () => {
  const [lodash, lodashEs] = await db.forPackages([{ ecosystem: 'npm', name: 'lodash' }, { ecosystem: 'npm', name: 'lodash-es' }]);
  const shared = lodash!.filter((a) => lodashEs!.some((b) => b.id === a.id));
  assert.ok(shared.length > 0, 'the fixture has a record naming both packages');
  for (const a of shared) assert.equal(lodashEs!.find((b) => b.id === a.id), a);
  // no cache keeps records alive between calls (match.ts asks in small batches so they die young)
  const again = await db.forPackage({ ecosystem: 'npm', name: 'lodash' });
  assert.notEqual(again.find((a) => a.id === shared[0]!.id), shared[0]);
  assert.deepEqual(again.find((a) => a.id === shared[0]!.id), shared[0]);
});

test('an aborted signal rejects with ABORTED', async () => {
  await assert.rejects(db.forPackage({ ecosystem: 'npm', name: 'lodash' }, AbortSignal.abort()), (e: unknown) => e instanceof BosunError && e.code === 'ABORTED');
});

test('forPackages answers each query in order, across statement chunks, as forPackage does one by one', async () => {
  const distinct = [...lookups.map((c) => c.query), { ecosystem: 'npm', name: 'no-such-package-anywhere' }];
  // 2,500 queries: more than one statement's worth (2,000), repeats included
  const queries = Array.from({ length: 2500 }, (_, i) => distinct[(i * 5) % distinct.length]!);
  const single = new Map<string, string[]>();
  for (const q of distinct) single.set(JSON.stringify(q), (await db.forPackage(q)).map((a) => a.id));
  const batch = await db.forPackages(queries);
  assert.equal(batch.length, queries.length);
  batch.forEach((answer, i) => assert.deepEqual(answer.map((a) => a.id), single.get(JSON.stringify(queries[i])), `query ${i}`));
});
