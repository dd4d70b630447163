import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseVariablePath, setVariable, substituteAll, substituteString } from '../../src/policy/variables.js';

const data = {
  request: { operation: 'UPDATE', object: { metadata: { name: 'web', labels: { app: 'nginx' } }, spec: { replicas: 2 } }, oldObject: { metadata: { name: 'old' } } },
  element: { name: 'cache' },
};

const cases: Array<{ in: string; want: unknown }> = [
  { in: 'plain', want: 'plain' },
  { in: '{{ request.operation }}', want: 'UPDATE' },
  { in: '{{request.object.spec.replicas}}', want: 2 }, // a lone variable keeps its type
  { in: 'n={{request.object.spec.replicas}}', want: 'n=2' },
  { in: '{{ request.object.metadata.labels }}', want: { app: 'nginx' } },
  { in: '{{ request.object.metadata.missing }}', want: null }, // missing field: null, not an error
  { in: '{{ request.object.metadata.missing }}!', want: '<nil>!' },
  { in: "{{ to_upper('{{ element.name }}') }}", want: 'CACHE' }, // nested variables resolve first
  { in: '{{ request.object.metadata.name }}/{{ element.name }}', want: 'web/cache' },
  { in: 'a { b } c', want: 'a { b } c' },
  { in: 'unterminated {{ x', want: 'unterminated {{ x' },
];
for (const c of cases) test(`substitute ${c.in}`, () => assert.deepEqual(substituteString(c.in, { data }), { ok: true, value: c.want }));

test('a JMESPath error fails the substitution', () => assert.equal(substituteString('{{ foo( }}', { data }).ok, false));

test('DELETE requests read request.object from request.oldObject', () =>
  assert.deepEqual(substituteString('{{ request.object.metadata.name }}', { data, isDelete: true }), { ok: true, value: 'old' }));

test('substituteAll walks keys and values', () =>
  assert.deepEqual(substituteAll({ '{{ element.name }}': ['{{ request.operation }}'] }, { data }), { ok: true, value: { cache: ['UPDATE'] } }));

const paths = [
  { in: 'request.operation', want: ['request', 'operation'] },
  { in: 'request.object.metadata.annotations."hpedevops.net/platform"', want: ['request', 'object', 'metadata', 'annotations', 'hpedevops.net/platform'] },
  { in: 'request.oldObject.metadata.labels.existing-label', want: ['request', 'oldObject', 'metadata', 'labels', 'existing-label'] },
];
for (const c of paths) test(`variable path ${c.in}`, () => assert.deepEqual(parseVariablePath(c.in), c.want));

test('setVariable creates objects and merges', () => {
  const t: Record<string, unknown> = { request: { operation: 'CREATE', userInfo: { username: 'u' } } };
  setVariable(t, 'request', { userInfo: { groups: ['g'] } });
  setVariable(t, 'request.object.metadata.name', 'x');
  assert.deepEqual(t, { request: { operation: 'CREATE', userInfo: { username: 'u', groups: ['g'] }, object: { metadata: { name: 'x' } } } });
});
