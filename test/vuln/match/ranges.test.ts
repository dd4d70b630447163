import assert from 'node:assert/strict';
import { test } from 'node:test';
import semver from 'semver';
import type { AffectedRange, RangeEvent } from '../../../src/vuln/advisory.js';
import { evaluate, isInRange, sortEvents, type Compare } from '../../../src/vuln/match/ranges.js';

// A small dotted-integer comparator ("1.10" > "1.9"), enough for ECOSYSTEM-typed cases; SEMVER
// cases use node's semver (prereleases sort below their release).
const dotted: Compare = (a, b) => {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
};
const sv: Compare = (a, b) => semver.compare(a, b);

const I = (v: string): RangeEvent => ({ introduced: v });
const F = (v: string): RangeEvent => ({ fixed: v });
const L = (v: string): RangeEvent => ({ last_affected: v });
const Lim = (v: string): RangeEvent => ({ limit: v });
const eco = (...events: RangeEvent[]): AffectedRange => ({ type: 'ECOSYSTEM', events });
const semverRange = (...events: RangeEvent[]): AffectedRange => ({ type: 'SEMVER', events });

const rangeCases: Array<{ name: string; v: string; range: AffectedRange; want: boolean; cmp?: Compare }> = [
  { name: 'introduced 0, no fix: everything', v: '0.0.1', range: eco(I('0')), want: true },
  { name: 'introduced 0, no fix: huge version', v: '999.1', range: eco(I('0')), want: true },
  { name: 'below fix', v: '1.0.1', range: eco(I('0'), F('1.0.2')), want: true },
  { name: 'at fix is not affected', v: '1.0.2', range: eco(I('0'), F('1.0.2')), want: false },
  { name: 'above fix', v: '1.0.3', range: eco(I('0'), F('1.0.2')), want: false },
  { name: 'just below introduced', v: '0.9.9', range: eco(I('1.0'), F('2.0')), want: false },
  { name: 'at introduced', v: '1.0', range: eco(I('1.0'), F('2.0')), want: true },
  { name: 'fix 1.10 reached as 1.10.0 (numeric, not lexical)', v: '1.10.0', range: eco(I('1.0'), F('1.10')), want: false },
  { name: 'numeric order: 1.9 < 1.10 fix', v: '1.9', range: eco(I('1.0'), F('1.10')), want: true },
  { name: 'last_affected inclusive', v: '2.1.214', range: eco(I('0'), L('2.1.214')), want: true },
  { name: 'just above last_affected', v: '2.1.215', range: eco(I('0'), L('2.1.214')), want: false },
  { name: 'two windows: first', v: '1.0.1', range: eco(I('1.0.0'), F('1.0.2'), I('3.0.0'), F('3.2.5')), want: true },
  { name: 'two windows: gap', v: '2.5', range: eco(I('1.0.0'), F('1.0.2'), I('3.0.0'), F('3.2.5')), want: false },
  { name: 'two windows: second', v: '3.2.4', range: eco(I('1.0.0'), F('1.0.2'), I('3.0.0'), F('3.2.5')), want: true },
  { name: 'two windows: after both', v: '3.2.5', range: eco(I('1.0.0'), F('1.0.2'), I('3.0.0'), F('3.2.5')), want: false },
  { name: 'unsorted events are sorted first', v: '3.1', range: eco(F('3.2.5'), I('3.0.0'), F('1.0.2'), I('1.0.0')), want: true },
  { name: 'unsorted events: gap stays a gap', v: '2.0', range: eco(F('3.2.5'), I('3.0.0'), F('1.0.2'), I('1.0.0')), want: false },
  { name: 'limit: below limit in range', v: '1.5', range: eco(I('1.0'), Lim('2.0')), want: true },
  { name: 'limit: at limit excluded', v: '2.0', range: eco(I('1.0'), Lim('2.0')), want: false },
  { name: 'limit "*" is no limit', v: '9.0', range: eco(I('1.0'), Lim('*')), want: true },
  { name: 'limit with fix: fix still applies', v: '1.6', range: eco(I('1.0'), F('1.5'), Lim('2.0')), want: false },
  { name: 'several limits: below any', v: '2.5', range: eco(I('1.0'), Lim('2.0'), Lim('3.0')), want: true },
  { name: 'introduced equals fixed: empty', v: '1.0', range: eco(I('1.0'), F('1.0')), want: false },
  { name: 'GIT ranges never match versions', v: '1.0', range: { type: 'GIT', events: [I('0')] }, want: false },
  { name: 'semver: prerelease below fix', v: '2.0.0-rc.1', range: semverRange(I('0'), F('2.0.0')), want: true, cmp: sv },
  { name: 'semver: prerelease of introduced is below it', v: '1.0.0-beta', range: semverRange(I('1.0.0'), F('2.0.0')), want: false, cmp: sv },
  { name: 'semver: build of fix', v: '2.0.1', range: semverRange(I('0'), F('2.0.0')), want: false, cmp: sv },
  { name: 'semver: last_affected patch', v: '4.5.1', range: semverRange(I('0'), L('4.5.1')), want: true, cmp: sv },
  { name: 'semver: just above last_affected', v: '4.5.2', range: semverRange(I('0'), L('4.5.1')), want: false, cmp: sv },
];

for (const c of rangeCases) {
  test(`range: ${c.name} (${c.v})`, () => assert.equal(isInRange(c.v, c.range, c.cmp ?? dotted), c.want));
}

const evalCases: Array<{ name: string; v: string; ranges: AffectedRange[]; versions?: string[]; want: boolean; fixes: string[] }> = [
  { name: 'any range affected wins', v: '1.5', ranges: [eco(I('2.0')), eco(I('1.0'), F('1.6'))], want: true, fixes: ['1.6'] },
  { name: 'no range affected', v: '1.7', ranges: [eco(I('2.0')), eco(I('1.0'), F('1.6'))], want: false, fixes: [] },
  { name: 'listed version without ranges', v: '0.3', ranges: [], versions: ['0.2', '0.3'], want: true, fixes: [] },
  { name: 'listed versions are exact strings', v: '0.3.0', ranges: [], versions: ['0.3'], want: false, fixes: [] },
  { name: 'listed version takes fixes above it', v: '0.3', ranges: [eco(I('1.0'), F('1.2'))], versions: ['0.3'], want: true, fixes: ['1.2'] },
  { name: 'fixes: lowest first, only above installed', v: '1.1', ranges: [eco(I('0'), F('1.0'), I('1.1'), F('1.3')), eco(I('1.1'), F('1.2'))], want: true, fixes: ['1.2', '1.3'] },
  { name: 'no fix: affected with no version', v: '5', ranges: [eco(I('0'))], want: true, fixes: [] },
  { name: 'last_affected gives no fix', v: '2', ranges: [eco(I('0'), L('3'))], want: true, fixes: [] },
  { name: 'duplicate fixes collapse', v: '1', ranges: [eco(I('0'), F('2')), eco(I('0'), F('2.0'))], want: true, fixes: ['2'] },
];

for (const c of evalCases) {
  test(`evaluate: ${c.name}`, () => {
    const got = evaluate(c.v, { ranges: c.ranges, versions: c.versions ?? [] }, dotted);
    assert.deepEqual(got, { isAffected: c.want, fixedVersions: c.fixes });
  });
}

test('sortEvents puts "0" first and orders ties introduced < last_affected < fixed < limit', () => {
  const got = sortEvents([Lim('2'), F('2'), I('2'), L('1'), I('0')], dotted);
  assert.deepEqual(got.map((e) => `${e.kind}:${e.version}`), ['introduced:0', 'last_affected:1', 'introduced:2', 'fixed:2', 'limit:2']);
});

test('a comparator error surfaces to the caller', () => {
  const throwing: Compare = () => { throw new RangeError('bad'); };
  assert.throws(() => isInRange('x', eco(I('1'), F('2')), throwing), RangeError);
});
