import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { evaluate, parsePolicies } from '../../src/policy/index.js';
import type { KubeObject, Policy } from '../../src/policy/index.js';
import { seedFixtures } from '../fixtures/policy/build-seeds.js';
import { repoRoot, sharedDir } from './shared.js';

// The Kyverno policies quoted in our seed documents, extracted by test/fixtures/policy/build-seeds.ts.
const fixtureDir = path.join(repoRoot, 'test/fixtures/policy/seeds');
const files = readdirSync(fixtureDir).filter((f) => f.endsWith('.yaml')).sort();
const policies: Policy[] = files.flatMap((f) => parsePolicies(readFileSync(path.join(fixtureDir, f), 'utf8'), f));
const byName = (n: string): Policy => {
  const p = policies.find((x) => x.name === n);
  assert.ok(p, n);
  return p;
};

test('seed fixtures are up to date with the seed documents', () => {
  const fresh = seedFixtures(path.join(sharedDir, 'seeds'));
  assert.deepEqual(fresh.map((f) => f.file), files);
  for (const f of fresh) assert.equal(f.yaml, readFileSync(path.join(fixtureDir, f.file), 'utf8'), f.file);
});

const pod = (image: string, namespace = 'production'): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'app', namespace }, spec: { containers: [{ name: 'app', image }] } });
const digest = `sha256:${'a'.repeat(64)}`;

const cases = [
  { policy: 'require-image-digest', image: 'registry.example.com/app:1.2', want: 'fail' },
  { policy: 'require-image-digest', image: `registry.example.com/app@${digest}`, want: 'pass' },
  { policy: 'block-latest-tag', image: 'nginx:latest', want: 'fail' },
  { policy: 'block-latest-tag', image: `nginx:latest@${digest}`, want: 'fail' },
  { policy: 'block-latest-tag', image: 'nginx:1.27', want: 'pass' },
] as const;
for (const c of cases) {
  test(`seed policy ${c.policy} on ${c.image.slice(0, 40)} = ${c.want}`, async () => {
    const results = await evaluate([byName(c.policy)], { resource: pod(c.image), operation: 'CREATE' });
    assert.deepEqual(results.map((r) => r.status), [c.want]);
    assert.equal(results[0]?.failureAction, 'Enforce');
  });
}

test('seed policies scoped to namespaces ignore other namespaces', async () => {
  assert.deepEqual(await evaluate([byName('require-image-digest'), byName('block-latest-tag')], { resource: pod('nginx:latest', 'dev'), operation: 'CREATE' }), []);
});

test('seed verifyImages policies evaluate to error until signing is wired in', async () => {
  const verify = policies.filter((p) => p.rules.some((r) => r.verifyImages));
  assert.equal(verify.length, 4);
  for (const p of verify) {
    const results = await evaluate([p], { resource: pod('registry.example.com/myapp:1'), operation: 'CREATE' });
    assert.ok(results.length > 0 && results.every((r) => r.status === 'error'), p.name);
  }
});
