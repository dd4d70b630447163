import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, parsePolicies, verifyImagesRule, defaultRuleKinds } from '../../src/policy/index.js';
import type { KubeObject, PolicyRequest } from '../../src/policy/index.js';

const policyYaml = `
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: require-labels
spec:
  validationFailureAction: Enforce
  validationFailureActionOverrides:
    - action: Audit
      namespaces: [dev]
  rules:
    - name: check-app
      match:
        any:
          - resources:
              kinds: [Pod]
      validate:
        message: "label app is required on {{ request.object.kind }}"
        pattern:
          metadata:
            labels:
              app: "?*"
`;
const [policy] = parsePolicies(policyYaml, 'inline');
const deployment: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'prod' }, spec: { template: { metadata: { labels: { app: 'x' } } } } };
const cronjob: KubeObject = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c', namespace: 'dev' }, spec: { jobTemplate: { spec: { template: { metadata: {} } } } } };
const req = (resource: KubeObject): PolicyRequest => ({ resource, operation: 'CREATE' });

test('autogen: a Pod rule runs on Deployments as autogen-<rule>', async () => {
  const results = await evaluate([policy!], req(deployment));
  assert.deepEqual(results.map((r) => [r.rule, r.status, r.failureAction]), [['autogen-check-app', 'pass', 'Enforce']]);
});

test('autogen: CronJobs get autogen-cronjob-<rule>, with namespace overrides and message templating', async () => {
  const [r] = await evaluate([policy!], req(cronjob));
  assert.equal(r?.rule, 'autogen-cronjob-check-app');
  assert.equal(r?.status, 'fail');
  assert.equal(r?.failureAction, 'Audit');
  assert.match(r?.message ?? '', /label app is required on CronJob/);
});

test('autogen-controllers: none disables generated rules', async () => {
  const [p] = parsePolicies(policyYaml.replace('name: require-labels', 'name: require-labels\n  annotations:\n    pod-policies.kyverno.io/autogen-controllers: none'), 'inline');
  assert.deepEqual(await evaluate([p!], req(deployment)), []);
});

test('a rule that does not match produces no result', async () => {
  assert.deepEqual(await evaluate([policy!], req({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } })), []);
});

const verifyYaml = `
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: { name: signed }
spec:
  rules:
    - name: verify
      match: { any: [ { resources: { kinds: [Pod] } } ] }
      verifyImages:
        - imageReferences: ["*"]
`;
const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'ghcr.io/a/b:1' }] } };

test('verifyImages without a verifier is an error naming the missing capability', async () => {
  const [r] = await evaluate(parsePolicies(verifyYaml, 'inline'), req(pod));
  assert.equal(r?.status, 'error');
  assert.match(r?.message ?? '', /signature verification/);
});

test('verifyImages plugs in through a verifier', async () => {
  const seen: string[][] = [];
  // A stand-in verifier: the real one belongs to the signing module, which is written separately.
  const verifier = { verify: async (q: { images: readonly string[] }) => { seen.push([...q.images]); return { ok: false, message: 'no signature' }; } };
  const kinds = [...defaultRuleKinds.filter((k) => k.name !== 'verify-images'), verifyImagesRule(verifier)];
  const [r] = await evaluate(parsePolicies(verifyYaml, 'inline'), req(pod), { ruleKinds: kinds });
  assert.equal(r?.status, 'fail');
  assert.deepEqual(seen, [['ghcr.io/a/b:1']]);
});

test('a context entry that needs a cluster is an error result', async () => {
  const yaml = verifyYaml.replace(/verifyImages:[\s\S]*$/, 'context:\n        - name: cm\n          configMap: { name: x, namespace: y }\n      validate:\n        deny: {}\n');
  const [r] = await evaluate(parsePolicies(yaml, 'inline'), req(pod));
  assert.equal(r?.status, 'error');
});

test('invalid policies are rejected with POLICY_INVALID', () => {
  assert.throws(() => parsePolicies('apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: x}\nspec: {rules: []}\n', 'bad'), { code: 'POLICY_INVALID' });
  assert.throws(() => parsePolicies('kind: [', 'bad'), { code: 'POLICY_INVALID' });
});

test('a rule\'s context variables never reach another rule of the same request (shared base context)', async () => {
  const [p] = parsePolicies(`
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: context-isolation
spec:
  validationFailureAction: Enforce
  rules:
    - name: reads-before
      match: {any: [{resources: {kinds: [Pod]}}]}
      validate:
        deny:
          conditions:
            any: [{key: marker, operator: AnyIn, value: "{{ keys(@) }}"}]
    - name: writes
      match: {any: [{resources: {kinds: [Pod]}}]}
      context:
        - name: marker
          variable: {value: written}
      validate:
        deny:
          conditions:
            any: [{key: "{{ marker }}", operator: NotEquals, value: written}]
    - name: reads-after
      match: {any: [{resources: {kinds: [Pod]}}]}
      validate:
        deny:
          conditions:
            any: [{key: marker, operator: AnyIn, value: "{{ keys(@) }}"}]
`, 'inline');
  const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'prod' }, spec: { containers: [] } };
  const results = await evaluate([p!], req(pod));
  assert.deepEqual(results.map((r) => [r.rule, r.status]), [['reads-before', 'pass'], ['writes', 'pass'], ['reads-after', 'pass']]);
});
