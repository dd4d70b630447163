// `bosun admission serve` as a user runs it: a real process, real flags, HTTPS on loopback.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { makeCertificate } from '../helpers/registry.js';
import { post, review, workload } from './review-helpers.js';

const root = resolve(import.meta.dirname, '../..');
const main = join(root, 'src/cli/main.ts');
const seed = join(root, 'test/fixtures/policy/seeds/004_326650791575b34a-4.yaml');

test('serve answers /validate with the policies it was given, and stops on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-admission-cli-'));
  try {
    mkdirSync(join(dir, 'policies'));
    copyFileSync(seed, join(dir, 'policies', 'block-latest.yaml'));
    const tls = makeCertificate(dir);
    const child = spawn(process.execPath, ['--import', 'tsx', main, 'admission', 'serve', '--policies', join(dir, 'policies'), '--cert', tls.cert, '--key', tls.key, '--addr', '127.0.0.1:0', '--audit-log', join(dir, 'audit.jsonl'), '--log-level', 'warn'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    const url = await new Promise<string>((ok, fail) => {
      let err = '';
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /listening on (https:\/\/\S+)/.exec(err);
        if (m) ok(m[1]!);
      });
      child.once('exit', () => fail(new Error(`exited: ${err}`)));
    });
    const denied = await post(url, '/validate', review(workload('Pod', 'p', 'production', ['registry.test/app:latest'])), tls.cert);
    assert.equal(denied.response.allowed, false);
    assert.match(denied.response.status!.message, /block-latest-tag\/no-latest/);
    const allowed = await post(url, '/validate', review(workload('Pod', 'p', 'production', ['registry.test/app:1.0'])), tls.cert);
    assert.equal(allowed.response.allowed, true);
    const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad flags exit 2 with INPUT_INVALID', () => {
  const cases = [['--failure-policy', 'Maybe'], ['--verify-cache-size', '0'], ['--verify-cache-ttl', '-1'], ['--timeout', 'soon']];
  for (const flag of cases) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', main, 'admission', 'serve', '--policies', '.', '--cert', 'c', '--key', 'k', ...flag], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 2, flag.join(' '));
    assert.match(r.stderr, /INPUT_INVALID/, flag.join(' '));
  }
});
