import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAnchor } from '../../src/policy/pattern/anchors.js';
import { matchScalar, patternOperator } from '../../src/policy/pattern/operators.js';
import { matchPattern } from '../../src/policy/pattern/validate.js';

const anchors = [
  { key: '(name)', want: { kind: 'condition', key: 'name' } },
  { key: '<(type)', want: { kind: 'global', key: 'type' } },
  { key: '^(containers)', want: { kind: 'existence', key: 'containers' } },
  { key: '=(securityContext)', want: { kind: 'equality', key: 'securityContext' } },
  { key: 'X(hostPath)', want: { kind: 'negation', key: 'hostPath' } },
  { key: '+(labels)', want: { kind: 'add-if-absent', key: 'labels' } },
  { key: 'name', want: undefined },
  { key: '()', want: undefined },
] as const;
for (const c of anchors) test(`anchor ${c.key}`, () => assert.deepEqual(parseAnchor(c.key), c.want));

const operators = [
  { p: '>=1', want: '>=' }, { p: '<=1', want: '<=' }, { p: '>1', want: '>' }, { p: '<1', want: '<' },
  { p: '!x', want: '!' }, { p: '1-5', want: 'range' }, { p: '-10--8', want: 'range' }, { p: '100Mi!-1024Mi', want: 'not-range' },
  { p: 'nginx', want: '' }, { p: 'x', want: '' },
] as const;
for (const c of operators) test(`pattern operator ${c.p}`, () => assert.equal(patternOperator(c.p), c.want));

const scalars = [
  { v: 'nginx', p: 'nginx', want: true },
  { v: 'nginx', p: 'F5 | nginx', want: true }, // alternatives
  { v: 'haproxy', p: 'F5 | nginx', want: false },
  { v: '5.16.5-arch1-1', p: '!5.10.84-1 & !5.15.5-2', want: true }, // conjunction of negations
  { v: '5.10.84-1', p: '!5.10.84-1 & !5.15.5-2', want: false },
  { v: 3, p: '>1', want: true },
  { v: 0, p: '>0', want: false },
  { v: '98Mi', p: '100Mi!-1024Mi', want: true }, // below the excluded range
  { v: '512Mi', p: '100Mi!-1024Mi', want: false },
  { v: '-15', p: '-10--8', want: false },
  { v: '-9', p: '-10--8', want: true },
  { v: '3', p: '+2-+4', want: true },
  { v: '2.7', p: '2.5-3.5', want: true },
  { v: 0, p: '100-200 | 500-600', want: false },
  { v: 550, p: '100-200 | 500-600', want: true },
  { v: '2Gi', p: '<=1Gi', want: false }, // quantities, not strings
  { v: '30m', p: '<1h', want: true }, // durations
  { v: 8080, p: '*', want: true }, // numbers compare as text for wildcards
  { v: '', p: '?*', want: false },
  { v: null, p: '?*', want: false },
  { v: 'default', p: '!default', want: false },
  { v: 'custom', p: '!default', want: true },
  { v: true, p: true, want: true },
  { v: 'true', p: true, want: false }, // booleans do not coerce
  { v: '2', p: 2, want: true }, // numeric strings do
  { v: 2.5, p: 2, want: false },
  { v: null, p: null, want: true },
  { v: '', p: null, want: true },
] as const;
for (const c of scalars) test(`scalar ${JSON.stringify(c.v)} ~ ${JSON.stringify(c.p)} = ${c.want}`, () => assert.equal(matchScalar(c.v, c.p), c.want));

const pod = (containers: unknown[], extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers, ...extra } });

const structures = [
  { name: 'plain field mismatch fails with path', r: pod([{ name: 'a', image: 'nginx:latest' }]), p: { spec: { containers: [{ image: '!*:latest' }] } }, want: 'fail', path: '/spec/containers/0/image/' },
  { name: 'every list element must match', r: pod([{ image: 'a:1' }, { image: 'b:latest' }]), p: { spec: { containers: [{ image: '!*:latest' }] } }, want: 'fail' },
  { name: 'missing required map fails', r: pod([]), p: { spec: { securityContext: { runAsNonRoot: true } } }, want: 'fail' },
  { name: "'*' requires presence", r: pod([{ name: 'a' }]), p: { spec: { containers: [{ image: '*' }] } }, want: 'fail' },
  { name: 'conditional anchor selects elements', r: pod([{ name: 'a', image: 'x:latest' }, { name: 'b', image: 'y:1' }]), p: { spec: { containers: [{ '(name)': 'b', image: '!*:latest' }] } }, want: 'pass' },
  { name: 'conditional anchor matching nothing skips', r: pod([{ name: 'a' }]), p: { spec: { containers: [{ '(name)': 'zzz', image: '?*' }] } }, want: 'skip' },
  { name: 'top-level conditional anchor skips', r: { kind: 'Service', spec: { type: 'ClusterIP' } }, p: { spec: { '(type)': 'LoadBalancer', loadBalancerSourceRanges: '*' } }, want: 'skip' },
  { name: 'global anchor skips', r: { kind: 'Service', spec: { type: 'ClusterIP' } }, p: { spec: { '<(type)': 'LoadBalancer', loadBalancerSourceRanges: '*' } }, want: 'skip' },
  { name: 'equality anchor absent passes', r: pod([]), p: { spec: { '=(hostNetwork)': false } }, want: 'pass' },
  { name: 'equality anchor present must match', r: pod([], { hostNetwork: true }), p: { spec: { '=(hostNetwork)': false } }, want: 'fail' },
  { name: 'equality anchor on scalar list', r: pod([], { securityContext: { supplementalGroups: [0] } }), p: { spec: { '=(securityContext)': { '=(supplementalGroups)': '100-200 | 500-600' } } }, want: 'fail' },
  { name: 'negation anchor present fails', r: pod([], { volumes: [{ name: 'v', hostPath: { path: '/' } }] }), p: { spec: { '=(volumes)': [{ 'X(hostPath)': 'null' }] } }, want: 'fail' },
  { name: 'negation anchor absent passes', r: pod([], { volumes: [{ name: 'v', emptyDir: {} }] }), p: { spec: { '=(volumes)': [{ 'X(hostPath)': 'null' }] } }, want: 'pass' },
  { name: 'existence anchor needs one match', r: pod([{ image: 'a:1' }, { image: 'ghcr.io/b' }]), p: { spec: { '^(containers)': [{ image: 'ghcr.io/*' }] } }, want: 'pass' },
  { name: 'existence anchor with no match fails', r: pod([{ image: 'a:1' }]), p: { spec: { '^(containers)': [{ image: 'ghcr.io/*' }] } }, want: 'fail' },
  { name: 'add-if-absent is ignored by validate', r: pod([]), p: { metadata: { '+(labels)': { a: 'b' } } }, want: 'pass' },
  { name: 'wildcard label keys expand', r: { metadata: { labels: { 'app.kubernetes.io/name': 'x' } } }, p: { metadata: { labels: { 'app.kubernetes.io/*': '?*' } } }, want: 'pass' },
  { name: 'anchored keys are checked before plain mismatches', r: { metadata: {}, spec: { type: 'ClusterIP' } }, p: { metadata: { annotations: { a: '?*' } }, spec: { '<(type)': 'LoadBalancer' } }, want: 'skip' },
  { name: 'scalar list is positional', r: { args: ['a', 'b'] }, p: { args: ['a', 'b'] }, want: 'pass' },
  { name: 'scalar list too short fails', r: { args: ['a'] }, p: { args: ['a', 'b'] }, want: 'fail' },
] as const;
for (const c of structures) {
  test(`pattern: ${c.name}`, () => {
    const r = matchPattern(c.r, c.p);
    assert.equal(r.status, c.want);
    if ('path' in c && r.status !== 'pass') assert.equal(r.path, c.path);
  });
}
