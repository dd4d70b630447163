// Offline lifecycle runs and the registry server exclude each other through the data
// directory's owner record: a live owner blocks, a dead one (kill -9) does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { isBosunError } from '../../src/errors.js';
import { collectGarbage } from '../../src/registry/lifecycle/gc.js';
import { withDataDir } from '../../src/registry/lifecycle/offline.js';
import { openRegistry } from '../../src/registry/serve.js';
import { pushImage } from './lifecycle-helpers.js';
import { tempDir } from '../helpers/temp-dir.js';

function setOwner(data: string, pid: number): void {
  const db = new Database(join(data, 'meta.db'));
  db.prepare("INSERT OR REPLACE INTO data_owner (id, pid, role, since) VALUES (1, ?, 'registry server', 0)").run(pid);
  db.close();
}

test('offline gc refuses a data directory a live process owns, and takes it over from a dead one', async () => {
  const data = await tempDir('gc-owner');
  await (await openRegistry({ dataDir: data })).close();
  // Another live process stands in for a running server (its pid is what the record holds).
  const other = spawn('sleep', ['60'], { stdio: 'ignore' });
  try {
    setOwner(data, other.pid!);
    await assert.rejects(withDataDir(data, 'gc', async () => undefined), (e) => isBosunError(e, 'REGISTRY_GC_BUSY'));
    await assert.rejects(openRegistry({ dataDir: data }), (e) => isBosunError(e, 'REGISTRY_GC_BUSY'), 'a server does not start during an offline run either');
  } finally {
    const exited = new Promise((r) => other.once('exit', r));
    other.kill('SIGKILL');
    await exited;
  }
  const report = await withDataDir(data, 'gc', (stores) => collectGarbage(stores, { dryRun: true }));
  assert.deepEqual(report.blobs, []);
  const db = new Database(join(data, 'meta.db'), { readonly: true });
  assert.deepEqual(db.prepare('SELECT count(*) AS n FROM data_owner').get(), { n: 0 }, 'the run released the directory');
  db.close();
});

test('offline gc refuses a directory that holds no registry', async () => {
  const empty = await tempDir('gc-empty');
  await assert.rejects(withDataDir(empty, 'gc', async () => undefined), (e) => isBosunError(e, 'INPUT_INVALID'));
});

test('bosun registry retention --dry-run prints exactly the tags and manifests that would go, and changes nothing', async () => {
  const data = await tempDir('ret-cli');
  const reg = await openRegistry({ dataDir: data });
  const pushed = [];
  for (const tag of ['a', 'b', 'c']) {
    pushed.push(await pushImage(reg.app, 'team/app', tag, tag));
    await new Promise((r) => setTimeout(r, 3));
  }
  await reg.close();
  const config = join(data, 'registry.yaml');
  await writeFile(config, `data: ${data}\nretention:\n  rules:\n    - repositories: "team/*"\n      keepLastPushed: 2\n      deleteUntaggedOlderThan: 0s\n`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'registry', 'retention', '--config', config, '--dry-run'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(run.stdout.trim().split('\n'), [
    `would remove tag team/app:a@${pushed[0]!.digest}`,
    `would remove manifest team/app@${pushed[0]!.digest}`,
    'retention: would remove 1 tags, 1 untagged manifests; run `bosun registry gc` to free the space',
  ]);
  const after = await openRegistry({ dataDir: data });
  assert.equal((await after.app.inject({ method: 'GET', url: '/v2/team/app/manifests/a' })).statusCode, 200);
  await after.close();
});
