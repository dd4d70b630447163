import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isTestRunOk, runTestFile } from '../../src/policy/index.js';
import type { TestRun } from '../../src/policy/index.js';
import { sharedDir } from './shared.js';

// Differential test against Kyverno's own CLI suites (shared/kyverno-cli-tests, see its README):
// every expected result must be reproduced, and the negative tests must fail as upstream's do.
const suite = path.join(sharedDir, 'kyverno-cli-tests');
interface Entry { dir: string; testFile: string; results: number; group: 'conformance' | 'unverified' | 'negative' }
const index = JSON.parse(readFileSync(path.join(suite, 'index.json'), 'utf8')) as Entry[];

const runs = new Map<string, TestRun>();
async function run(e: Entry): Promise<TestRun> {
  let r = runs.get(e.dir);
  if (!r) {
    r = await runTestFile(path.join(suite, e.testFile));
    runs.set(e.dir, r);
  }
  return r;
}

for (const e of index) {
  test(`kyverno ${e.group} ${e.dir}`, async () => {
    const r = await run(e);
    assert.equal(r.error, undefined);
    assert.equal(r.checks.length, e.results);
    if (e.group === 'negative') {
      assert.equal(isTestRunOk(r), false, 'a result naming something the test does not load must fail');
    } else {
      assert.deepEqual(r.checks.filter((c) => !c.ok).map((c) => `${c.policy}/${c.rule}/${c.resource}: ${c.reason}`), []);
    }
  });
}

test('kyverno suite totals: every non-negative expected result matches', async () => {
  let matched = 0;
  let expected = 0;
  for (const e of index.filter((x) => x.group !== 'negative')) {
    const r = await run(e);
    matched += r.checks.filter((c) => c.ok).length;
    expected += e.results;
  }
  assert.equal(index.length, 49);
  assert.equal(expected, 125);
  assert.equal(matched, expected);
});
