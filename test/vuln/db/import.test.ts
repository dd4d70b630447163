import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BosunError, type ErrorCode } from '../../../src/errors.js';
import { buildDatabase, DB_FILE, importOsv, SqliteAdvisorySource, type ImportOptions } from '../../../src/vuln/db/index.js';
import { defaultZipLimits } from '../../../src/vuln/db/zip.js';
import { readSource, writeZip, zipSource } from './helpers.js';
import { tempDir } from '../../helpers/temp-dir.js';

let tmpDir: string;
before(async () => (tmpDir = await tempDir('vuln-db-import')));

const rec = (id: string, name: string, modified = '2024-01-01T00:00:00Z') =>
  JSON.stringify({ id, modified, affected: [{ package: { ecosystem: 'npm', name }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] }] });

/** Imports `path` as `source` into the db in `dir`, returning the report. */
async function importInto(dir: string, path: string, source: string, opts: ImportOptions = {}) {
  return buildDatabase(dir, async ({ writer }) => ({ result: await importOsv(writer, { path, source }, opts), isChanged: true }));
}
const ids = async (dir: string, name: string) => {
  const db = SqliteAdvisorySource.open(join(dir, DB_FILE));
  try {
    return (await db.forPackage({ ecosystem: 'npm', name })).map((a) => a.id);
  } finally {
    db.close();
  }
};
const rejectsWith = (p: Promise<unknown>, code: ErrorCode) => assert.rejects(p, (e: unknown) => e instanceof BosunError && e.code === code);

test('an OSV all.zip of a real source imports every record', async () => {
  const zip = join(tmpDir, 'nswg.zip');
  await zipSource('nodejs-security-wg', zip);
  const report = await importInto(join(tmpDir, 'zipdb'), zip, 'npm');
  assert.equal(report.records, (await readSource('nodejs-security-wg')).length);
  assert.ok(report.recordsPerSecond > 0);
});

test('invalid records become problems and the rest is imported; all invalid is an error', async () => {
  const zip = join(tmpDir, 'mixed.zip');
  await writeZip(zip, [
    { name: 'A-1.json', data: rec('A-1', 'a') },
    { name: 'bad.json', data: '{"id": 1}' },
    { name: 'README.md', data: 'not a record, not read' },
  ]);
  const r = await importInto(join(tmpDir, 'mixed'), zip, 'mixed');
  assert.equal(r.records, 1);
  assert.deepEqual(r.problems.map((p) => [p.entry, p.code]), [['bad.json', 'VULN_ADVISORY_INVALID']]);
  const allBad = join(tmpDir, 'bad.zip');
  await writeZip(allBad, [{ name: 'x.json', data: 'nope' }]);
  await rejectsWith(importInto(join(tmpDir, 'bad'), allBad, 'bad'), 'VULN_ADVISORY_INVALID');
});

test('a corrupted entry fails its CRC-32 check', async () => {
  const zip = join(tmpDir, 'crc.zip');
  await writeZip(zip, [{ name: 'A-1.json', data: rec('A-1', 'a') }], { store: true });
  const bytes = await readFile(zip);
  const at = bytes.indexOf('"name":"a"');
  bytes[at + 9] = 'b'.charCodeAt(0); // same size, other content: only the CRC can tell
  await writeFile(zip, bytes);
  await rejectsWith(importInto(join(tmpDir, 'crc'), zip, 'crc'), 'VULN_ARCHIVE_INVALID');
});

test('a truncated zip and a non-zip are refused', async () => {
  const zip = join(tmpDir, 'whole.zip');
  await zipSource('ghsa-subset', zip);
  const bytes = await readFile(zip);
  await writeFile(join(tmpDir, 'half.zip'), bytes.subarray(0, bytes.length >> 1));
  await rejectsWith(importInto(join(tmpDir, 'half'), join(tmpDir, 'half.zip'), 'x', { kind: 'zip' }), 'VULN_ARCHIVE_INVALID');
  await writeFile(join(tmpDir, 'junk.zip'), Buffer.alloc(1000, 0x5a));
  await rejectsWith(importInto(join(tmpDir, 'junk'), join(tmpDir, 'junk.zip'), 'x', { kind: 'zip' }), 'VULN_ARCHIVE_INVALID');
});

const limitCases = [
  { name: 'entry count', limits: { maxEntries: 2 }, entries: ['A', 'B', 'C'].map((id) => ({ name: `${id}.json`, data: rec(id, 'a') })) },
  { name: 'entry size', limits: { maxEntryBytes: 100 }, entries: [{ name: 'A.json', data: rec('A', 'a'.repeat(200)) }] },
  { name: 'compression ratio', limits: { maxRatio: 10 }, entries: [{ name: 'A.json', data: rec('A', 'a'.repeat(200_000)) }] },
] as const;
for (const c of limitCases) {
  test(`zip caps: ${c.name}`, async () => {
    const zip = join(tmpDir, `limit-${c.name.replace(/ /g, '-')}.zip`);
    await writeZip(zip, c.entries);
    await rejectsWith(importInto(join(tmpDir, `limit-${c.name}`), zip, 'x', { zipLimits: { ...defaultZipLimits, ...c.limits } }), 'LIMIT_EXCEEDED');
  });
}

test('records shared by sources: the later modified wins; a record lives while any source holds it', async () => {
  const dir = join(tmpDir, 'merge');
  const a = join(tmpDir, 'a.zip');
  const b = join(tmpDir, 'b.zip');
  await writeZip(a, [{ name: 'S-1.json', data: rec('S-1', 'old-name') }, { name: 'A-1.json', data: rec('A-1', 'x') }]);
  await writeZip(b, [{ name: 'S-1.json', data: rec('S-1', 'new-name', '2025-01-01T00:00:00Z') }]);
  await importInto(dir, a, 'a');
  await importInto(dir, b, 'b');
  assert.deepEqual(await ids(dir, 'new-name'), ['S-1']);
  assert.deepEqual(await ids(dir, 'old-name'), []);
  await writeZip(b, [{ name: 'B-1.json', data: rec('B-1', 'x') }]); // b drops S-1; a still holds it
  await importInto(dir, b, 'b');
  assert.deepEqual(await ids(dir, 'x'), ['A-1', 'B-1']);
  assert.equal((await ids(dir, 'new-name')).length + (await ids(dir, 'old-name')).length, 1);
  await writeZip(a, [{ name: 'A-1.json', data: rec('A-1', 'x') }]); // now nobody holds S-1
  await importInto(dir, a, 'a');
  assert.deepEqual([...(await ids(dir, 'new-name')), ...(await ids(dir, 'old-name'))], []);
});

test('a directory is walked recursively; a single JSON file imports alone', async () => {
  const dir = join(tmpDir, 'single');
  const file = join(tmpDir, 'one.json');
  await writeFile(file, rec('ONE-1', 'solo'));
  assert.equal((await importInto(dir, file, 'one')).records, 1);
  await writeFile(file, 'garbage');
  await rejectsWith(importInto(dir, file, 'one'), 'VULN_ADVISORY_INVALID');
  assert.deepEqual(await ids(dir, 'solo'), ['ONE-1']); // the failed import left the database as it was
  const tree = join(tmpDir, 'tree');
  await mkdir(join(tree, '2024', '01'), { recursive: true });
  await writeFile(join(tree, 'T-1.json'), rec('T-1', 'walked'));
  await writeFile(join(tree, '2024', '01', 'T-2.json'), rec('T-2', 'walked'));
  await writeFile(join(tree, '2024', 'notes.txt'), 'skipped');
  assert.equal((await importInto(dir, tree, 'tree')).records, 2);
  assert.deepEqual(await ids(dir, 'walked'), ['T-1', 'T-2']);
});

test('a record naming a package for every release and for one release is returned once for that release', async () => {
  const dir = join(tmpDir, 'releases');
  await mkdir(dir, { recursive: true });
  const both = JSON.stringify({
    id: 'DEB-1', modified: '2024-01-01T00:00:00Z',
    affected: ['Debian', 'Debian:12'].map((ecosystem) => ({ package: { ecosystem, name: 'zlib' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] })),
  });
  await writeFile(join(dir, 'DEB-1.json'), both);
  await importInto(join(tmpDir, 'releases-db'), dir, 'debian');
  const db = SqliteAdvisorySource.open(join(tmpDir, 'releases-db', DB_FILE));
  try {
    const [twelve, eleven, none] = await db.forPackages([
      { ecosystem: 'Debian', release: '12', name: 'zlib' }, { ecosystem: 'Debian', release: '11', name: 'zlib' }, { ecosystem: 'Debian', name: 'zlib' },
    ]);
    assert.deepEqual([twelve, eleven, none].map((list) => list!.map((a) => a.id)), [['DEB-1'], ['DEB-1'], ['DEB-1']]);
  } finally {
    db.close();
  }
});

test('an index row whose record is gone is VULN_DB_CORRUPT, not a missing finding', async () => {
  const src = join(tmpDir, 'dangling-src');
  await mkdir(src, { recursive: true });
  await writeFile(join(src, 'A-1.json'), rec('A-1', 'left-pad'));
  const dir = join(tmpDir, 'dangling-db');
  await importInto(dir, src, 'npm');
  const raw = new Database(join(dir, DB_FILE));
  raw.prepare("DELETE FROM advisories WHERE id = 'A-1'").run(); // the affected row stays behind
  raw.close();
  const db = SqliteAdvisorySource.open(join(dir, DB_FILE));
  try {
    await rejectsWith(db.forPackages([{ ecosystem: 'npm', name: 'left-pad' }]), 'VULN_DB_CORRUPT');
  } finally {
    db.close();
  }
});
