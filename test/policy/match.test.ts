import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kindMatches, parseKindSelector, ruleSelects, selectorHolds } from '../../src/policy/match.js';
import type { LabelSelector, MatchResources } from '../../src/policy/model.js';
import type { PolicyRequest } from '../../src/policy/types.js';

const kinds = [
  { s: 'Pod', want: { group: '*', version: '*', kind: 'Pod', subresource: '' } },
  { s: 'Deployment/scale', want: { group: '*', version: '*', kind: 'Deployment', subresource: 'scale' } },
  { s: 'v1/Pod', want: { group: '*', version: 'v1', kind: 'Pod', subresource: '' } },
  { s: 'batch/*/CronJob', want: { group: 'batch', version: '*', kind: 'CronJob', subresource: '' } },
  { s: 'apps/v1/Deployment/scale', want: { group: 'apps', version: 'v1', kind: 'Deployment', subresource: 'scale' } },
  { s: 'v1/Pod/status', want: { group: '*', version: 'v1', kind: 'Pod', subresource: 'status' } },
] as const;
for (const c of kinds) test(`kind selector ${c.s}`, () => assert.deepEqual(parseKindSelector(c.s), c.want));

const kindCases = [
  { sel: ['batch/*/CronJob'], gvk: { group: 'batch', version: 'v1beta1', kind: 'CronJob' }, sub: '', want: true },
  { sel: ['apps/v1/CronJob'], gvk: { group: 'batch', version: 'v1', kind: 'CronJob' }, sub: '', want: false },
  { sel: ['Deployment/scale'], gvk: { group: 'apps', version: 'v1', kind: 'Deployment' }, sub: 'scale', want: true },
  { sel: ['Deployment'], gvk: { group: 'apps', version: 'v1', kind: 'Deployment' }, sub: 'scale', want: false },
  { sel: ['*'], gvk: { group: '', version: 'v1', kind: 'ConfigMap' }, sub: '', want: true },
  { sel: ['Pod'], gvk: { group: '', version: 'v1', kind: 'Pod' }, sub: 'ephemeralcontainers', want: true },
] as const;
for (const c of kindCases) test(`kind ${c.sel.join(',')} ~ ${c.gvk.kind}/${c.sub} = ${c.want}`, () => assert.equal(kindMatches(c.sel, c.gvk, c.sub), c.want));

const selectors: Array<{ sel: LabelSelector; labels: Record<string, string>; want: boolean }> = [
  { sel: { matchLabels: { protected: '*' } }, labels: { protected: 'true' }, want: true },
  { sel: { matchLabels: { protected: '*-test' } }, labels: { protected: 'label-fail' }, want: false },
  { sel: { matchLabels: { protected: '*' } }, labels: {}, want: false },
  { sel: { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] }, labels: { env: 'prod' }, want: true },
  { sel: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, labels: {}, want: true },
  { sel: { matchExpressions: [{ key: 'env', operator: 'Exists' }] }, labels: {}, want: false },
  { sel: { matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] }, labels: {}, want: true },
];
for (const [i, c] of selectors.entries()) test(`label selector case ${i + 1}`, () => assert.equal(selectorHolds(c.sel, c.labels), c.want));

const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'prod', labels: { app: 'web' }, annotations: { team: 'a' } } };
const req = (extra: Partial<PolicyRequest> = {}): PolicyRequest => ({ resource: pod, operation: 'CREATE', ...extra });
const m = (x: MatchResources): MatchResources => x;

const rules: Array<{ name: string; match: MatchResources; exclude?: MatchResources; req: PolicyRequest; want: boolean }> = [
  { name: 'any: one filter is enough', match: m({ any: [{ resources: { kinds: ['Service'] } }, { resources: { kinds: ['Pod'] } }] }), req: req(), want: true },
  { name: 'all: every filter must hold', match: m({ all: [{ resources: { kinds: ['Pod'] } }, { resources: { namespaces: ['dev'] } }] }), req: req(), want: false },
  { name: 'legacy match.resources', match: m({ resources: { kinds: ['Pod'], names: ['web-*'] } }), req: req(), want: true },
  { name: 'namespaces wildcard', match: m({ any: [{ resources: { kinds: ['Pod'], namespaces: ['pr*'] } }] }), req: req(), want: true },
  { name: 'annotations', match: m({ any: [{ resources: { kinds: ['Pod'], annotations: { team: 'b' } } }] }), req: req(), want: false },
  { name: 'operations', match: m({ any: [{ resources: { kinds: ['Pod'], operations: ['DELETE'] } }] }), req: req(), want: false },
  { name: 'namespaceSelector uses namespace labels', match: m({ any: [{ resources: { kinds: ['Pod'], namespaceSelector: { matchLabels: { tier: 'gold' } } } }] }), req: req({ namespaceLabels: { tier: 'gold' } }), want: true },
  { name: 'userInfo ignored in match without user info', match: m({ any: [{ resources: { kinds: ['Pod'] }, clusterRoles: ['cluster-admin'] }] }), req: req(), want: true },
  { name: 'userInfo checked in match with user info', match: m({ any: [{ resources: { kinds: ['Pod'] }, clusterRoles: ['cluster-admin'] }] }), req: req({ user: { username: 'u', clusterRoles: ['view'] } }), want: false },
  { name: 'subjects ServiceAccount', match: m({ any: [{ resources: { kinds: ['Pod'] }, subjects: [{ kind: 'ServiceAccount', name: 'ci', namespace: 'build' }] }] }), req: req({ user: { username: 'system:serviceaccount:build:ci' } }), want: true },
  { name: 'exclude by namespace', match: m({ any: [{ resources: { kinds: ['Pod'] } }] }), exclude: m({ any: [{ resources: { namespaces: ['prod'] } }] }), req: req(), want: false },
  { name: 'exclude on clusterRole needs user info', match: m({ any: [{ resources: { kinds: ['Pod'] } }] }), exclude: m({ any: [{ clusterRoles: ['cluster-admin'] }] }), req: req(), want: true },
  { name: 'empty match filter matches nothing', match: m({ any: [{ resources: {} }] }), req: req(), want: false },
];
for (const c of rules) test(`match: ${c.name}`, () => assert.equal(ruleSelects(c.match, c.exclude, c.req), c.want));
