import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateOperator, operatorNames } from '../../src/policy/operators.js';

const cases: Array<{ op: string; key: unknown; value: unknown; want: boolean }> = [
  { op: 'Equals', key: 'DELETE', value: 'DELETE', want: true },
  { op: 'Equals', key: 'nginx:1.25', value: 'nginx:*', want: true }, // the value is a glob
  { op: 'Equals', key: 'nginx:*', value: 'nginx:1.25', want: false }, // the key is not
  { op: 'Equals', key: 1, value: 1, want: true },
  { op: 'Equals', key: 1, value: '1', want: true },
  { op: 'Equals', key: '1Gi', value: '1024Mi', want: true }, // quantities
  { op: 'Equals', key: '1h', value: '60m', want: true }, // durations
  { op: 'Equals', key: false, value: false, want: true },
  { op: 'Equals', key: false, value: 'false', want: false },
  { op: 'Equals', key: { a: '1', test: '' }, value: { a: '1', test: '' }, want: true },
  { op: 'Equals', key: null, value: '', want: false },
  { op: 'Equal', key: 'a', value: 'a', want: true }, // deprecated spelling
  { op: 'NotEquals', key: null, value: '', want: true },
  { op: 'NotEqual', key: [{ key: 'a', value: 1 }], value: [{ key: 'a', value: 1 }], want: false },
  { op: 'In', key: 'a', value: ['a', 'b'], want: true },
  { op: 'NotIn', key: ['busybox-fail'], value: ['busybox', 'busybox1'], want: true },
  { op: 'AnyIn', key: ['UPDATE', 'x'], value: ['UPDATE', 'DELETE'], want: true },
  { op: 'AnyIn', key: 'CREATE', value: ['UPDATE', 'DELETE'], want: false },
  { op: 'AllIn', key: 'CREATE', value: ['CREATE', 'UPDATE'], want: true },
  { op: 'AllIn', key: ['CREATE', 'PATCH'], value: ['CREATE', 'UPDATE'], want: false },
  { op: 'AllIn', key: 'batch/v1', value: ['batch/v1beta1'], want: false },
  { op: 'AnyNotIn', key: 'A=*', value: ['A=ATest', 'B=BTest'], want: false }, // wildcards either side
  { op: 'AnyNotIn', key: 22, value: [22, 80, 443], want: false }, // numbers compare as text
  { op: 'AnyNotIn', key: 8080, value: [22, 80, 443], want: true },
  { op: 'AllNotIn', key: ['system:masters'], value: ['system:masters'], want: false },
  { op: 'AllNotIn', key: ['dev', 'ops'], value: ['system:masters'], want: true },
  { op: 'AnyIn', key: 'a', value: '["a","b"]', want: true }, // JSON list in a string
  { op: 'GreaterThan', key: 3, value: 2.5, want: true },
  { op: 'GreaterThan', key: '3', value: '2.5', want: true },
  { op: 'GreaterThanOrEquals', key: 2, value: 2, want: true },
  { op: 'LessThan', key: '100Mi', value: '1Gi', want: true },
  { op: 'LessThanOrEquals', key: '2h', value: '90m', want: false },
  { op: 'LessThan', key: 'abc', value: 1, want: false },
  { op: 'DurationGreaterThan', key: '2h', value: '1h', want: true },
  { op: 'DurationGreaterThanOrEquals', key: '1h', value: '60m', want: true },
  { op: 'DurationLessThan', key: 30, value: '1m', want: true }, // numbers are seconds
  { op: 'DurationLessThanOrEquals', key: 'x', value: '1m', want: false },
  { op: 'Contains', key: 'nginx@sha256:abc', value: '@sha256:', want: true }, // bosun extension
  { op: 'NotContains', key: 'nginx:1.25', value: '@sha256:', want: true },
  { op: 'Contains', key: ['a', 'b'], value: 'b', want: true },
  { op: 'EndsWith', key: 'nginx:latest', value: ':latest', want: true },
  { op: 'EndsWith', key: 'nginx:1.25', value: ':latest', want: false },
  { op: 'StartsWith', key: 'ghcr.io/x', value: 'ghcr.io/', want: true },
  { op: 'equals', key: 'x', value: 'x', want: true }, // names are case-insensitive
];
for (const c of cases) {
  test(`${c.op} ${JSON.stringify(c.key)} ${JSON.stringify(c.value)} = ${c.want}`, () => assert.equal(evaluateOperator(c.op, c.key, c.value), c.want));
}

test('unknown operator is reported, not guessed', () => assert.equal(evaluateOperator('Matches', 'a', 'a'), undefined));

test('every listed operator is implemented', () => {
  for (const op of operatorNames) assert.notEqual(evaluateOperator(op, 'a', 'a'), undefined, op);
});
