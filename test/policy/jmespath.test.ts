import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kyvernoFunctions, queryJmesPath } from '../../src/policy/jmespath.js';

// A real certificate: the one upstream Kyverno's custom-functions CLI test decodes.
const CERT_B64 = 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUM3VENDQWRXZ0F3SUJBZ0lCQURBTkJna3Foa2lHOXcwQkFRc0ZBREFZTVJZd0ZBWURWUVFEREEwcUxtdDUKZG1WeWJtOHVjM1pqTUI0WERUSXlNREV4TVRFek1qWTBNMW9YRFRJek1ERXhNVEUwTWpZME0xb3dHREVXTUJRRwpBMVVFQXd3TktpNXJlWFpsY201dkxuTjJZekNDQVNJd0RRWUpLb1pJaHZjTkFRRUJCUUFEZ2dFUEFEQ0NBUW9DCmdnRUJBTXNBejg1K3lpbm8rTW1kS3NWdEh3Tmkzb0FWanVtelhIaUxmVUpLN3hpNUtVOEI3Z29QSEYvVkNlL1YKN1kyYzRhZnlmZ1kyZVB3NEx4U0RrQ1lOZ1l3cWpTd0dJYmNzcXY1WlJhekJkRHhSMDlyaTZQa25OeUJWR0xpNQpSbFBYSXJHUTNwc051ZjU1cXd4SnhMTzMxcUNadXZrdEtZNVl2dUlSNEpQbUJodVNGWE9ubjBaaVF3OHV4TWNRCjBRQTJseitQeFdDVk5rOXErMzFINURIMW9ZWkRMZlUzbWlqSU9BK0FKR1piQmIrWndCbXBWTDArMlRYTHhFNzQKV293ZEtFVitXVHNLb2pOVGQwVndjdVJLUktSLzZ5blhBQWlzMjF5MVg3VWk5RkpFNm1ESXlsVUQ0MFdYT0tHSgoxbFlZNDFrUm5ZaFZodlhZTjlKdE5ZZFkzSHNDQXdFQUFhTkNNRUF3RGdZRFZSMFBBUUgvQkFRREFnS2tNQThHCkExVWRFd0VCL3dRRk1BTUJBZjh3SFFZRFZSME9CQllFRk9ubEFTVkQ5ZnUzVEFqcHRsVy9nQVhBNHFsK01BMEcKQ1NxR1NJYjNEUUVCQ3dVQUE0SUJBUUNJcHlSaUNoeHA5N2NyS2ZRMjRKdDd6OFArQUdwTGYzc1g0ZUw4N0VTYQo3UVJvVkp0WExtYXV0MXBVRW9ZTFFydUttaC8wWUZ0Wkc5V3hWZ1k2aXVLYldudTdiT2VNQi9JcitWL3lyWDNSCitYdlpPc3VYaUpuRWJKaUJXNmxKekxsZG9XNGYvNzFIK2oxV0Q0dEhwcW1kTXhxL3NMcVhmUEl1YzAvbTB5RkMKbitBREJXR0dCOE5uNjZ2eHR2K2NUNnArUklWb3RYUFFXYk1pbFdwNnBkNXdTdUI2OEZxckR3dFlMTkp0UHdGcwo5TVBWa3VhSmRZWjBlV2Qvck1jS0Q5NEhnZjg5Z3ZBMCtxek1WRmYrM0JlbVhza2pRUll5NkNLc3FveUM2alg0Cm5oWWp1bUFQLzdwc2J6SVRzbnBIdGZDRUVVKzJKWndnTTQwNmFpTWNzZ0xiCi0tLS0tRU5EIENFUlRJRklDQVRFLS0tLS0K';
const PEM = Buffer.from(CERT_B64, 'base64').toString('utf8');

const cases: Array<{ fn: string; expr: string; data?: unknown; want: unknown }> = [
  { fn: 'compare', expr: "compare('a', 'b')", want: -1 },
  { fn: 'equal_fold', expr: "equal_fold('Go', 'GO')", want: true },
  { fn: 'replace_all', expr: "replace_all('a-b-c', '-', '.')", want: 'a.b.c' },
  { fn: 'to_upper', expr: "to_upper('abc')", want: 'ABC' },
  { fn: 'to_lower', expr: "to_lower('ABC')", want: 'abc' },
  { fn: 'trim', expr: "trim('--x--', '-')", want: 'x' },
  { fn: 'trim_prefix', expr: "trim_prefix('docker.io/nginx', 'docker.io/')", want: 'nginx' },
  { fn: 'truncate', expr: "truncate('abcdef', `3`)", want: 'abc' },
  { fn: 'regex_match', expr: "regex_match('^[a-f0-9]{8}$', '51e5fe10')", want: true },
  { fn: 'regex_replace_all', expr: "regex_replace_all('h.*', '2400h0m0s', '')", want: '2400' },
  { fn: 'regex_replace_all_literal', expr: "regex_replace_all_literal('[0-9]', 'a1b2', '$')", want: 'a$b$' },
  { fn: 'pattern_match', expr: "pattern_match('prefix-*', 'prefix-test')", want: true },
  { fn: 'path_canonicalize', expr: "path_canonicalize('///var/run//containerd.sock')", want: '/var/run/containerd.sock' },
  { fn: 'base64_decode', expr: "base64_decode('aGVsbG8=')", want: 'hello' },
  { fn: 'base64_encode', expr: "base64_encode('hello')", want: 'aGVsbG8=' },
  { fn: 'parse_json', expr: "parse_json('{\"a\": \"b\"}').a", want: 'b' },
  { fn: 'parse_yaml', expr: "parse_yaml('array: [a, b]').array", want: ['a', 'b'] },
  { fn: 'items', expr: "items(@, 'key', 'value')", data: { b: 2, a: 1 }, want: [{ key: 'a', value: 1 }, { key: 'b', value: 2 }] },
  { fn: 'object_from_lists', expr: 'object_from_lists(`["a","b"]`, `[1,2]`)', want: { a: 1, b: 2 } },
  { fn: 'label_match', expr: 'label_match(`{"app":"web-*"}`, `{"app":"web-1","x":"y"}`)', want: true },
  { fn: 'lookup', expr: "lookup(`{\"a\": 1}`, 'a')", want: 1 },
  { fn: 'x509_decode', expr: 'x509_decode(@).PublicKey.E', data: PEM, want: 65537 },
  { fn: 'add', expr: "add('100Mi', '28Mi')", want: '128Mi' },
  { fn: 'subtract', expr: 'subtract(`10`, `4`)', want: 6 },
  { fn: 'multiply', expr: "multiply('1h', `2`)", want: '2h0m0s' },
  { fn: 'divide', expr: "divide('300Mi', '100Mi')", want: 3 },
  { fn: 'modulo', expr: 'modulo(`7`, `3`)', want: 1 },
  { fn: 'round', expr: 'round(`2.567`, `1`)', want: 2.6 },
  { fn: 'time_since', expr: "time_since('', '2024-01-01T00:00:00Z', '2024-01-01T01:30:00Z')", want: '1h30m0s' },
];
for (const c of cases) test(`jmespath ${c.fn}: ${c.expr}`, () => assert.deepEqual(queryJmesPath(c.expr, c.data ?? {}), { ok: true, value: c.want }));

test('jmespath time_now_utc is RFC 3339 UTC', () => {
  const r = queryJmesPath('time_now_utc()', {});
  assert.ok(r.ok && typeof r.value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(r.value));
});

test('every registered function has a test case', () => {
  const tested = new Set([...cases.map((c) => c.fn), 'time_now_utc']);
  assert.deepEqual(kyvernoFunctions.map((f) => f.name).filter((n) => !tested.has(n)), []);
});

const errors = [
  { name: 'wrong argument type', expr: "regex_replace_all('h.*', `null`, '')" },
  { name: 'bad base64', expr: "base64_decode('***')" },
  { name: 'division by zero', expr: 'divide(`1`, `0`)' },
  { name: 'mixed kinds', expr: "add('1h', '1Mi')" },
  { name: 'not a certificate', expr: "x509_decode('nope')" },
  { name: 'syntax', expr: 'a.[' },
];
for (const c of errors) test(`jmespath error: ${c.name}`, () => assert.equal(queryJmesPath(c.expr, {}).ok, false));
