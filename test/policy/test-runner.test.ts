import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatTestRuns, isTestRunOk, runTests } from '../../src/policy/index.js';

function suite(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bosun-kyverno-test-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const policy = 'apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: p}\nspec:\n  rules:\n  - name: r\n    match: {any: [{resources: {kinds: [Pod]}}]}\n    validate: {deny: {conditions: {all: [{key: "{{ request.operation }}", operator: Equals, value: DELETE}]}}}\n';
const resource = 'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: ns}\n';
const testFile = (result: string, extra = ''): string =>
  `apiVersion: cli.kyverno.io/v1alpha1\nkind: Test\nmetadata: {name: t}\npolicies: [policy.yaml]\nresources: [resource.yaml]\n${extra}results:\n- {policy: p, rule: r, kind: Pod, resources: [ns/web], result: ${result}}\n`;

test('a matching expectation passes; the wrong one fails with a reason', async () => {
  const [good] = await runTests(suite({ 'kyverno-test.yaml': testFile('pass'), 'policy.yaml': policy, 'resource.yaml': resource }));
  assert.ok(good && isTestRunOk(good));
  const [bad] = await runTests(suite({ 'kyverno-test.yaml': testFile('fail'), 'policy.yaml': policy, 'resource.yaml': resource }));
  assert.ok(bad && !isTestRunOk(bad));
  assert.match(bad.checks[0]?.reason ?? '', /want fail, got pass/);
});

test("a result's operation runs the rule with that operation", async () => {
  const text = testFile('fail').replace('result: fail}', 'result: fail, operation: DELETE}');
  const [run] = await runTests(suite({ 'kyverno-test.yaml': text, 'policy.yaml': policy, 'resource.yaml': resource }));
  assert.ok(run && isTestRunOk(run));
});

test('values set the operation for a resource', async () => {
  const values = 'apiVersion: cli.kyverno.io/v1alpha1\nkind: Values\npolicies:\n- name: p\n  resources:\n  - name: web\n    values: {request.operation: DELETE}\n';
  const [run] = await runTests(suite({ 'kyverno-test.yaml': testFile('fail', 'variables: values.yaml\n'), 'policy.yaml': policy, 'resource.yaml': resource, 'values.yaml': values }));
  assert.ok(run && isTestRunOk(run), JSON.stringify(run?.checks));
});

const loadErrors: Array<{ name: string; files: Record<string, string>; code: string }> = [
  { name: 'missing policy file', files: { 'kyverno-test.yaml': testFile('pass'), 'resource.yaml': resource }, code: 'IO_FAILED' },
  { name: 'not a Test', files: { 'kyverno-test.yaml': 'apiVersion: v1\nkind: Pod\n' }, code: 'POLICY_TEST_INVALID' },
  { name: 'invalid policy', files: { 'kyverno-test.yaml': testFile('pass'), 'policy.yaml': 'apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: p}\nspec: {rules: []}\n', 'resource.yaml': resource }, code: 'POLICY_INVALID' },
  { name: 'values file without kind', files: { 'kyverno-test.yaml': testFile('pass', 'variables: values.yaml\n'), 'policy.yaml': policy, 'resource.yaml': resource, 'values.yaml': 'policies: []\n' }, code: 'POLICY_INPUT_INVALID' },
];
for (const c of loadErrors) {
  test(`load error is a failed test, not a crash: ${c.name}`, async () => {
    const [run] = await runTests(suite(c.files));
    assert.ok(run && !isTestRunOk(run));
    assert.ok(run.error?.startsWith(`${c.code}:`), run.error);
    assert.match(formatTestRuns([run]), /Error: /);
  });
}

test('a directory without tests yields no runs', async () => {
  assert.deepEqual(await runTests(suite({ 'x.yaml': resource })), []);
});
