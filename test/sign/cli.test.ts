import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { productionRoot, repoRoot, sigstoreVectors } from './shared.js';

const bosun = path.join(repoRoot, 'bin', 'bosun.js');
function run(args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [bosun, ...args], { cwd: opts.cwd ?? repoRoot, env: { ...process.env, ...opts.env }, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

const conf = path.join(sigstoreVectors, 'conformance-bundle-verify');
const identity = 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';

test('sigstore-conformance verify-bundle: exit 0 for a sha256: digest, non-zero for another identity', () => {
  const digest = `sha256:${createHash('sha256').update(readFileSync(path.join(conf, 'a.txt'))).digest('hex')}`;
  const base = ['sigstore-conformance', 'verify-bundle', '--bundle', path.join(conf, 'happy-path-v0.3', 'bundle.sigstore.json')];
  const tail = ['--certificate-oidc-issuer', 'https://token.actions.githubusercontent.com', '--trusted-root', productionRoot, digest];
  assert.equal(run([...base, '--certificate-identity', identity, ...tail]).status, 0);
  const bad = run([...base, '--certificate-identity', `${identity}x`, ...tail]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /SIGN_IDENTITY_MISMATCH/);
});

test('generate-key-pair, sign-blob, verify-blob through the CLI (COSIGN_PASSWORD); tampered file exits 2', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bosun-cli-'));
  const env = { COSIGN_PASSWORD: 'cli-pw' };
  assert.equal(run(['generate-key-pair'], { cwd: dir, env }).status, 0);
  writeFileSync(path.join(dir, 'f.txt'), 'data');
  assert.equal(run(['sign-blob', '--key', 'cosign.key', '--bundle', 'b.json', 'f.txt'], { cwd: dir, env }).status, 0);
  assert.equal(run(['verify-blob', '--key', 'cosign.pub', '--bundle', 'b.json', 'f.txt'], { cwd: dir }).status, 0);
  writeFileSync(path.join(dir, 'f.txt'), 'date');
  const tampered = run(['verify-blob', '--key', 'cosign.pub', '--bundle', 'b.json', 'f.txt'], { cwd: dir });
  assert.equal(tampered.status, 2);
  assert.match(tampered.stderr, /SIGN_VERIFY_FAILED/);
});
