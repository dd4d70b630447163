// `db update` against a loopback mirror laid out like OSV's bucket, serving zips made at test
// time from shared/advisories: conditional requests, integrity checks, and the atomic swap
// under every failure (bad bytes, HTTP errors, a killed process).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BosunError, type ErrorCode } from '../../../src/errors.js';
import { DB_FILE, dbStatus, importDatabase, SqliteAdvisorySource, updateDatabase, type UpdateOptions } from '../../../src/vuln/db/index.js';
import { osvDir, readSource, startMirror, writeZip, zipSource, type Mirror, type MirrorMode } from './helpers.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { bosunBin } from '../../helpers/bosun-cli.js';

let tmpDir: string;
let mirror: Mirror;
let counts: { npm: number; debian: number; go: number };
const T0 = new Date('2026-01-01T00:00:00Z');
const T1 = new Date('2026-01-02T00:00:00Z');

before(async () => {
  tmpDir = await tempDir('vuln-db-update');
  mirror = await startMirror();
  for (const [eco, source] of [['npm', 'nodejs-security-wg'], ['Debian', 'debian-changelog'], ['Go', 'go-vulndb']] as const) {
    const zip = join(tmpDir, `${eco}.zip`);
    await zipSource(source, zip, { store: eco === 'Go' }); // stored: quicker to make, same reader path
    mirror.archives.set(eco, await readFile(zip));
  }
  counts = {
    npm: (await readSource('nodejs-security-wg')).length,
    debian: (await readSource('debian-changelog')).length,
    go: (await readSource('go-vulndb')).length,
  };
});
after(async () => {
  await mirror?.close();
});

const dir = () => join(tmpDir, 'db');
const update = (o: Partial<UpdateOptions> = {}) => updateDatabase({ dir: dir(), repository: mirror.url, ecosystems: ['npm', 'Debian'], ...o });
const snapshot = (d = dir()) => {
  const s = dbStatus(d);
  return { advisories: s.advisories, builtAt: s.builtAt, sources: s.sources.map((x) => [x.name, x.records, x.etag]) };
};
const rejectsWith = (p: Promise<unknown>, code: ErrorCode) => assert.rejects(p, (e: unknown) => e instanceof BosunError && e.code === code);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Publishes a new npm archive: the real records plus one, so its ETag changes. */
async function publishNewNpm(id: string): Promise<void> {
  const extra = { id, modified: '2026-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'npm', name: 'left-pad' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] }] };
  const records = await readSource('nodejs-security-wg');
  const zip = join(tmpDir, `npm-${id}.zip`);
  await writeZip(zip, [...records.map((r) => ({ name: r.file, data: JSON.stringify(r.record) })), { name: `${id}.json`, data: JSON.stringify(extra) }]);
  mirror.archives.set('npm', await readFile(zip));
}

test('the first update downloads and imports every archive, recording validators and digests', async () => {
  const report = await update({ now: () => T0 });
  assert.deepEqual(report.sources.map((s) => [s.name, s.status, s.records]), [['npm', 'updated', counts.npm], ['Debian', 'updated', counts.debian]]);
  const s = dbStatus(dir());
  assert.equal(s.advisories, counts.npm + counts.debian);
  const npm = s.sources.find((x) => x.name === 'npm')!;
  assert.equal(npm.sha256, sha256(mirror.archives.get('npm')!));
  assert.ok(npm.etag && npm.url === `${mirror.url}/npm/all.zip`);
  assert.deepEqual(await readdir(dir()), ['vuln.db']); // no temp files, no WAL beside the live file
});

test('a second update sends If-None-Match; 304s keep the data and only refresh checked_at', async () => {
  const before = snapshot();
  mirror.server.seen.length = 0;
  const report = await update({ now: () => T1 });
  assert.deepEqual(report.sources.map((s) => s.status), ['not-modified', 'not-modified']);
  const zipRequests = mirror.server.seen.filter((r) => r.url.endsWith('/all.zip'));
  assert.equal(zipRequests.length, 2);
  assert.ok(zipRequests.every((r) => typeof r.headers['if-none-match'] === 'string' && r.headers['if-modified-since']));
  assert.deepEqual(snapshot(), before);
  assert.equal(dbStatus(dir()).checkedAt, T1.toISOString());
});

test('a changed archive is re-imported while unchanged ones are kept; open readers keep their file', async () => {
  const leftPad = { ecosystem: 'npm', name: 'left-pad' };
  const reader = SqliteAdvisorySource.open(join(dir(), DB_FILE));
  try {
    await publishNewNpm('EXTRA-1');
    const report = await update();
    assert.deepEqual(report.sources.map((s) => [s.name, s.status]), [['npm', 'updated'], ['Debian', 'not-modified']]);
    assert.equal(dbStatus(dir()).advisories, counts.npm + 1 + counts.debian);
    assert.deepEqual(await reader.forPackage(leftPad), []); // the file it opened, not the new one
  } finally {
    reader.close();
  }
  const fresh = SqliteAdvisorySource.open(join(dir(), DB_FILE));
  assert.deepEqual((await fresh.forPackage(leftPad)).map((a) => a.id), ['EXTRA-1']);
  fresh.close();
});

const failures: Array<{ mode: MirrorMode; code: ErrorCode; sha?: boolean }> = [
  { mode: 'truncate', code: 'VULN_DB_INTEGRITY' },
  { mode: 'garbage', code: 'VULN_ARCHIVE_INVALID' },
  { mode: 'error', code: 'VULN_DB_DOWNLOAD_FAILED' },
  { mode: 'bad-sha256', code: 'VULN_DB_INTEGRITY', sha: true },
];
for (const f of failures) {
  test(`a mirror answering "${f.mode}" fails with ${f.code} and leaves the previous database working`, async () => {
    const before = snapshot();
    await publishNewNpm(`EXTRA-${f.mode}`);
    mirror.mode.set('npm', f.mode);
    mirror.publishSha256 = f.sha ?? false;
    try {
      await rejectsWith(update(), f.code);
    } finally {
      mirror.mode.delete('npm');
      mirror.publishSha256 = false;
    }
    assert.deepEqual(snapshot(), before);
    assert.deepEqual(await readdir(dir()), ['vuln.db']);
  });
}

test('a published sha256 that matches is accepted and recorded', async () => {
  await publishNewNpm('EXTRA-sha');
  mirror.publishSha256 = true;
  try {
    await update();
  } finally {
    mirror.publishSha256 = false;
  }
  const npm = dbStatus(dir()).sources.find((x) => x.name === 'npm')!;
  assert.equal(npm.sha256, sha256(mirror.archives.get('npm')!));
  assert.ok(mirror.server.seen.some((r) => r.url === '/npm/all.zip.sha256'));
});

test('ecosystems dropped from the list are removed; imported sources stay', async () => {
  await importDatabase([osvDir('ghsa-subset')], { dir: dir(), sources: ['ghsa'] });
  const report = await update({ ecosystems: ['npm'] });
  assert.deepEqual(report.sources.map((s) => [s.name, s.status]), [['npm', 'not-modified'], ['Debian', 'removed']]);
  assert.deepEqual(dbStatus(dir()).sources.map((s) => s.name), ['ghsa', 'npm']);
  assert.ok(!dbStatus(dir()).ecosystems.some((e) => e.ecosystem === 'Debian'));
});

/** Runs `bosun db update` in a child and SIGKILLs it once `when` resolves. */
async function killedUpdate(d: string, ecosystems: string, when: Promise<void>): Promise<void> {
  const child = spawn(process.execPath, [bosunBin, 'db', 'update', '--db-dir', d, '--db-repository', mirror.url, '--ecosystems', ecosystems, '-q'], { stdio: 'ignore', env: { ...process.env, CI: 'true' } });
  const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, sig) => r(sig)));
  await Promise.race([when, exited]);
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL', 'the update must still be running when killed');
}

// mid-download: Debian's body stalls halfway; mid-import: Go's 4291 records take far longer
// to import than the 150 ms the kill waits after the body was sent.
const kills = [
  { name: 'mid-download', eco: 'Debian', records: () => counts.debian, arm: () => (mirror.mode.set('Debian', 'slow'), mirror.halfSent) },
  { name: 'mid-import', eco: 'Go', records: () => counts.go, arm: () => new Promise<void>((r) => (mirror.onSent = (eco) => eco === 'Go' && setTimeout(r, 150))) },
];
for (const k of kills) {
  test(`an update killed ${k.name} leaves the previous database working; the next update cleans up`, async () => {
    const d = join(tmpDir, `kill-${k.name}`);
    await updateDatabase({ dir: d, repository: mirror.url, ecosystems: ['npm'] });
    const before = snapshot(d);
    try {
      await killedUpdate(d, `npm,${k.eco}`, k.arm());
    } finally {
      mirror.mode.delete(k.eco);
      mirror.onSent = undefined;
    }
    assert.deepEqual(snapshot(d), before);
    assert.ok((await readdir(d)).some((n) => n.includes('.tmp-')), 'the killed build left its temp files');
    const report = await updateDatabase({ dir: d, repository: mirror.url, ecosystems: ['npm', k.eco] });
    assert.equal(report.sources.find((s) => s.name === k.eco)?.records, k.records());
    assert.deepEqual(await readdir(d), ['vuln.db']);
  });
}
