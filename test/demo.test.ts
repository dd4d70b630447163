// `npm run demo` is the README's first command: it must keep working end to end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

test('npm run demo runs every stage and exits 0', () => {
  const root = new URL('..', import.meta.url).pathname;
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], { cwd: root, encoding: 'utf8', env: { ...process.env, CI: 'true' }, timeout: 600_000 });
  assert.equal(r.status, 0, r.stderr.slice(-2000));
  for (const stage of ['== 1.', '== 2.', '== 3.', '== 4.', '== 5.', '== 6.', '== 7.', '== 8.']) assert.ok(r.stdout.includes(stage), stage);
  assert.match(r.stdout + r.stderr, /2 signature\(s\) verified/);
  // The bundled advisories: minimist 1.2.5 is CRITICAL (fixed 1.2.6), lodash 4.17.20 HIGH.
  assert.match(r.stdout, /minimist\s+CVE-2021-44906\s+CRITICAL\s+fixed\s+1\.2\.5\s+1\.2\.6/);
  assert.match(r.stdout, /findings in the SBOM scan: 4\n/);
  assert.match(r.stdout, /anonymous request: HTTP 401 \(Bearer realm=/);
  assert.match(r.stdout, /demo complete/);
});
