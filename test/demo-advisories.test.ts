// The demo's bundled advisory set must stay facts only and match the shared data it came from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dir = join(root, 'scripts', 'demo-data', 'advisories');

test('bundled demo advisories carry no descriptive text', async () => {
  const names = await readdir(dir);
  assert.ok(names.length >= 10);
  for (const name of names) {
    const rec = JSON.parse(await readFile(join(dir, name), 'utf8')) as Record<string, unknown>;
    for (const key of ['summary', 'details', 'references', 'credits']) assert.equal(rec[key], undefined, `${name} has ${key}`);
    assert.equal(`${rec.id as string}.json`, name);
  }
});

test('bundled demo advisories are what scripts/demo-advisories.ts derives from ../shared', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/demo-advisories.ts', '--check'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});
