import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchWildcard } from '../../src/policy/wildcard.js';
import { parseDuration, parseQuantity } from '../../src/policy/quantity.js';

const wildcards = [
  { p: '*', s: '', want: true },
  { p: '?*', s: '', want: false }, // ?* means "at least one character"
  { p: '?*', s: 'x', want: true },
  { p: '*-nginx', s: 'test-nginx', want: true },
  { p: '*-nginx', s: 'test-nginx2', want: false },
  { p: 'test-*', s: 'test-label', want: true },
  { p: '*:*', s: 'nginx:1.12', want: true },
  { p: '*:*', s: 'nginx', want: false },
  { p: '!*:latest', s: '!nginx:latest', want: true }, // no operator meaning at this level
  { p: 'a?c', s: 'abc', want: true },
  { p: 'a?c', s: 'ac', want: false },
  { p: '*a*a*a*a*a*b', s: 'a'.repeat(200), want: false }, // no exponential backtracking
  { p: 'Pod', s: 'pod', want: false }, // case-sensitive
];
for (const c of wildcards) test(`wildcard ${c.p} ~ ${c.s.slice(0, 20)} = ${c.want}`, () => assert.equal(matchWildcard(c.p, c.s), c.want));

const quantities = [
  { in: '100Mi', want: 100 * 2 ** 20 },
  { in: '500m', want: 0.5 },
  { in: '2.5', want: 2.5 },
  { in: '-15', want: -15 },
  { in: '+2', want: 2 },
  { in: '1e3', want: 1000 },
  { in: '1k', want: 1000 },
  { in: 'nginx', want: undefined },
  { in: '5.10.84-1', want: undefined },
  { in: '', want: undefined },
] as const;
for (const c of quantities) test(`quantity ${c.in}`, () => assert.equal(parseQuantity(c.in), c.want));

const durations = [
  { in: '1h30m', want: 5400 },
  { in: '300ms', want: 0.3 },
  { in: '-2s', want: -2 },
  { in: '0', want: 0 },
  { in: '2400', want: undefined }, // Go requires a unit
  { in: '1x', want: undefined },
] as const;
for (const c of durations) test(`duration ${c.in}`, () => assert.equal(parseDuration(c.in), c.want));
