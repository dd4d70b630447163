// `bosun db import|status|update` end to end through bin/bosun.js.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DbStatus, UpdateReport } from '../../src/vuln/db/index.js';
import { DEFAULT_ECOSYSTEMS } from '../../src/vuln/db/update.js';
import { osvDir, readSource, startMirror, zipSource, type Mirror } from '../vuln/db/helpers.js';
import { bosunBin, runBosun, type Run } from '../helpers/bosun-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const bosun = (args: string[]): Promise<Run> => runBosun(args);
const run = promisify(execFile);

let tmpDir: string;
let mirror: Mirror;
before(async () => {
  tmpDir = await tempDir('cli-db');
  mirror = await startMirror();
  await zipSource('nodejs-security-wg', join(tmpDir, 'npm.zip'));
  mirror.archives.set('npm', await readFile(join(tmpDir, 'npm.zip')));
});
after(async () => {
  await mirror?.close();
});

test('db status on a missing database exits 2 with VULN_DB_MISSING and a hint', async () => {
  const r = await bosun(['db', 'status', '--db-dir', join(tmpDir, 'none')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^bosun: VULN_DB_MISSING: .*\n {2}hint: /);
});

test('db import (directory and zip) then db status --format json', async () => {
  const db = join(tmpDir, 'db');
  const imp = await bosun(['db', 'import', osvDir('debian-changelog'), join(tmpDir, 'npm.zip'), '--source', 'debian,nswg', '--db-dir', db]);
  assert.equal(imp.status, 0, imp.stderr);
  assert.match(imp.stdout, /^SOURCE +RECORDS/);
  const st = await bosun(['db', 'status', '--db-dir', db, '--format', 'json']);
  assert.equal(st.status, 0, st.stderr);
  const status = JSON.parse(st.stdout) as DbStatus;
  assert.deepEqual(status.sources.map((s) => [s.name, s.records]), [['debian', (await readSource('debian-changelog')).length], ['nswg', (await readSource('nodejs-security-wg')).length]]);
  assert.deepEqual(status.ecosystems.map((e) => [e.ecosystem, e.release]), [['Debian', '12'], ['npm', '']]);
  const table = await bosun(['db', 'status', '--db-dir', db]);
  assert.match(table.stdout, /Schema version: 1\n/);
  assert.match(table.stdout, /Debian +12 +\d+/);
});

test('db update --db-repository fetches from the mirror; a second run is all 304s', async () => {
  const db = join(tmpDir, 'updated');
  const args = ['db', 'update', '--db-dir', db, '--db-repository', mirror.url, '--ecosystems', 'npm', '--format', 'json'];
  const first = JSON.parse((await bosun(args)).stdout) as UpdateReport;
  assert.deepEqual(first.sources.map((s) => [s.name, s.status]), [['npm', 'updated']]);
  const second = await bosun(args.slice(0, -2));
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stdout, /npm +not-modified/);
});

test('db update refuses a non-http repository with INPUT_INVALID', async () => {
  const r = await bosun(['db', 'update', '--db-dir', join(tmpDir, 'x'), '--db-repository', 'file:///tmp']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^bosun: INPUT_INVALID/);
});

test('a scan whose stale database cannot be updated prints why under VULN_DB_STALE', async () => {
  const db = join(tmpDir, 'stale');
  assert.equal((await bosun(['db', 'import', join(tmpDir, 'npm.zip'), '--db-dir', db])).status, 0);
  const sqlite = new Database(join(db, 'vuln.db'));
  sqlite.prepare("UPDATE meta SET value = '2020-01-01T00:00:00.000Z' WHERE key = 'checked_at'").run();
  sqlite.close();
  // Port 1 on loopback refuses the connection: the update fails without leaving the machine.
  const r = await runBosun(['fs', await tempDir('cli-db-empty'), '--db-dir', db], { env: { BOSUN_DB_REPOSITORY: 'http://127.0.0.1:1' } });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^bosun: VULN_DB_STALE: .*\n {2}hint: .*\n {2}cause: VULN_DB_DOWNLOAD_FAILED: /);
});

test('a scan with no database builds it from --db-repository first', async () => {
  const own = await startMirror();
  try {
    const npmZip = await readFile(join(tmpDir, 'npm.zip'));
    // The update fetches every default ecosystem; each one serves the npm records here.
    for (const eco of DEFAULT_ECOSYSTEMS) own.archives.set(eco, npmZip);
    const db = join(tmpDir, 'built-by-scan');
    const r = await bosun(['fs', await tempDir('cli-db-empty'), '--db-dir', db, '--db-repository', own.url]);
    assert.equal(r.status, 0, r.stderr);
    const status = JSON.parse((await bosun(['db', 'status', '--db-dir', db, '--format', 'json'])).stdout) as DbStatus;
    assert.deepEqual(status.sources.map((s) => s.name).sort(), [...DEFAULT_ECOSYSTEMS].sort());
  } finally {
    await own.close();
  }
});

test('a scan that builds its database shows the download progress on a terminal, and not with --quiet', async () => {
  const own = await startMirror();
  try {
    const npmZip = await readFile(join(tmpDir, 'npm.zip'));
    for (const eco of DEFAULT_ECOSYSTEMS) own.archives.set(eco, npmZip);
    const scanInTerminal = async (name: string, extra: string[]): Promise<string> => {
      const args = [bosunBin, 'fs', await tempDir('cli-db-tty-src'), '--db-dir', join(tmpDir, name), '--db-repository', own.url, ...extra];
      // util-linux `script` runs the command on a pseudo-terminal: the bar draws only on a TTY
      const command = [process.execPath, ...args].map((a) => `'${a}'`).join(' ');
      const { stdout } = await run('script', ['-qec', command, '/dev/null'], { env: { ...process.env, CI: '' } });
      return stdout;
    };
    assert.match(await scanInTerminal('tty-db', []), /advisories/);
    assert.doesNotMatch(await scanInTerminal('tty-db-quiet', ['--quiet']), /advisories/);
  } finally {
    await own.close();
  }
});
