// `npm run demo` is the README's first command: it must keep working end to end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

test('npm run demo runs every stage and exits 0', () => {
  const root = new URL('..', import.meta.url).pathname;
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], { cwd: root, encoding: 'utf8', env: { ...process.env, CI: 'true' }, timeout: 600_000 });
  assert.equal(r.status, 0, r.stderr.slice(-2000));
  for (const stage of ['== 1.', '== 2.', '== 3.', '== 4.', '== 5.', '== 6.', '== 7.']) assert.ok(r.stdout.includes(stage), stage);
  assert.match(r.stdout + r.stderr, /2 signature\(s\) verified/);
  assert.match(r.stdout, /demo complete/);
});
