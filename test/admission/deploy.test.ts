// The deployment manifests (deploy/*.yaml) and the Helm chart (deploy/helm/bosun-admission).
// Helm is not packaged by Debian, so the chart is rendered by a tiny renderer that understands
// exactly the template subset the chart uses (`{{ .Values.a.b }}`, `{{ .Release.Namespace }}`,
// `{{ "literal" }}`) and fails on anything else. Both outputs are parsed by kubectl offline
// (`kubectl label --local`: decodes every object without a cluster) and checked for the webhook's
// safety properties.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';

const root = resolve(import.meta.dirname, '../../deploy');
const chart = join(root, 'helm/bosun-admission');
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function render(text: string, values: Obj, namespace: string): string {
  return text.replace(/\{\{\s*("[^"]*"|[^}]*?)\s*\}\}/g, (_, expr: string) => {
    const lit = /^"(.*)"$/.exec(expr);
    if (lit) return lit[1]!;
    if (expr === '.Release.Namespace') return namespace;
    const m = /^\.Values\.([\w.]+)$/.exec(expr);
    if (!m) throw new Error(`template expression not supported by the test renderer: ${expr}`);
    const v = m[1]!.split('.').reduce<unknown>((o, k) => (o as Obj | undefined)?.[k], values);
    if (v === undefined) throw new Error(`missing value ${m[1]}`);
    return String(v);
  });
}

// The kubeconfig goes to a temporary directory, never beside the manifests: `deploy/` is source.
function kubectlParse(dir: string): string[] {
  const scratch = mkdtempSync(join(tmpdir(), 'bosun-kubeconfig-'));
  const kubeconfig = join(scratch, 'kubeconfig');
  writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: [{name: none, cluster: {server: "https://127.0.0.1:1"}}]\ncontexts: [{name: none, context: {cluster: none, user: none}}]\nusers: [{name: none, user: {token: offline}}]\ncurrent-context: none\n');
  try {
    const out = execFileSync('kubectl', ['--kubeconfig', kubeconfig, 'label', '--local', '-f', dir, '-o', 'name', 'bosun.dev/checked=true'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return out.trim().split('\n').sort();
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function objects(dir: string): Obj[] {
  return readdirSync(dir).filter((f) => f.endsWith('.yaml')).flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS() as Obj));
}

function checkSafety(objs: Obj[], namespace: string): void {
  const by = (kind: string): Obj[] => objs.filter((o) => o.kind === kind);
  assert.ok(by('Deployment')[0]!.spec.replicas >= 2);
  assert.equal(by('PodDisruptionBudget')[0]!.spec.minAvailable, 1);
  const args: string[] = by('Deployment')[0]!.spec.template.spec.containers[0].args;
  const serverTimeoutMs = Number(args.find((a) => a.startsWith('--timeout='))!.split('=')[1]);
  for (const kind of ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']) {
    const hook = by(kind)[0]!.webhooks[0];
    assert.equal(hook.failurePolicy, 'Fail');
    assert.ok(serverTimeoutMs < hook.timeoutSeconds * 1000, 'the server answers before the API server gives up');
    const excluded = hook.namespaceSelector.matchExpressions.find((e: Obj) => e.key === 'kubernetes.io/metadata.name' && e.operator === 'NotIn').values;
    assert.deepEqual([...excluded].sort(), ['kube-system', namespace].sort());
    assert.equal(hook.clientConfig.service.namespace, namespace);
  }
}

const expected = [
  'configmap/bosun-admission-policies', 'deployment.apps/bosun-admission', 'mutatingwebhookconfiguration.admissionregistration.k8s.io/bosun-admission',
  'poddisruptionbudget.policy/bosun-admission', 'service/bosun-admission', 'serviceaccount/bosun-admission',
  'validatingwebhookconfiguration.admissionregistration.k8s.io/bosun-admission',
];

test('plain manifests decode with kubectl and keep the webhook safety properties', () => {
  assert.deepEqual(kubectlParse(root), [...expected, 'namespace/bosun-system'].sort());
  checkSafety(objects(root), 'bosun-system');
});

test('the Helm chart renders to the same objects, in the release namespace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-chart-'));
  try {
    const values = parse(readFileSync(join(chart, 'values.yaml'), 'utf8')) as Obj;
    const templates = join(chart, 'templates');
    for (const f of readdirSync(templates)) writeFileSync(join(dir, f), render(readFileSync(join(templates, f), 'utf8'), values, 'security'));
    assert.deepEqual(kubectlParse(dir), expected);
    const objs = objects(dir);
    checkSafety(objs, 'security');
    const policy = objs.find((o) => o.kind === 'ConfigMap')!.data['block-latest.yaml'];
    assert.match(policy, /key: "\{\{ element\.image \}\}"/, 'Kyverno variables survive rendering');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
