import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot, sharedDir } from './shared.js';

const suite = path.join(sharedDir, 'kyverno-cli-tests');
function bosun(...args: string[]): { status: number | null; stdout: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd: repoRoot });
  return { status: r.status, stdout: r.stdout };
}

test('bosun policy test exits 0 on a passing suite and prints the table', () => {
  const r = bosun('policy', 'test', path.join(suite, 'test/foreach'));
  assert.equal(r.status, 0);
  assert.match(r.stdout, /ID\s+POLICY\s+RULE\s+RESOURCE\s+RESULT\s+REASON/);
  assert.match(r.stdout, /Test Summary: 10 tests passed and 0 tests failed/);
});

test('bosun policy test exits 1 on the negative suites', () => {
  const r = bosun('policy', 'test', path.join(suite, 'test-fail'));
  assert.equal(r.status, 1);
  assert.match(r.stdout, /has no rule 'missing'/);
  assert.match(r.stdout, /\(2\/5 test files passed\)/); // only the two invalid-ns tests pass
});

test('bosun policy apply exits 1 when a rule fails, 0 when all pass', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bosun-policy-'));
  const policy = path.join(dir, 'policy.yaml');
  writeFileSync(policy, 'apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: no-latest}\nspec:\n  rules:\n  - name: tag\n    match: {any: [{resources: {kinds: [Pod]}}]}\n    validate:\n      pattern: {spec: {containers: [{image: "!*:latest"}]}}\n');
  const pod = (image: string): string => `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: "${image}"}]}\n`;
  writeFileSync(path.join(dir, 'bad.yaml'), pod('nginx:latest'));
  writeFileSync(path.join(dir, 'good.yaml'), pod('nginx:1.27'));
  const bad = bosun('policy', 'apply', '-p', policy, '-r', path.join(dir, 'bad.yaml'));
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, /no-latest\s+tag\s+Pod\/p\s+fail/);
  assert.equal(bosun('policy', 'apply', '-p', policy, '-r', path.join(dir, 'good.yaml')).status, 0);
});

test('bosun policy apply reports an invalid policy as a BosunError (exit 2)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bosun-policy-'));
  writeFileSync(path.join(dir, 'p.yaml'), 'apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: x}\nspec: {}\n');
  writeFileSync(path.join(dir, 'r.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n');
  assert.equal(bosun('policy', 'apply', '-p', path.join(dir, 'p.yaml'), '-r', path.join(dir, 'r.yaml')).status, 2);
});
