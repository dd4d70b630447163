import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Advisory } from '../../../src/vuln/advisory.js';
import { cvssScores, levelForScore, rateSeverity, scoreCvss, type RatedRecord } from '../../../src/vuln/match/severity.js';
import { advisory } from '../../helpers/memory-advisories.js';

// Expected base scores are the ones FIRST's calculators give for these vectors (the v3.1 and v2
// vectors are the examples in the OSV schema; v4.0 from its spec's examples).
const vectors = [
  { v: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:N/A:N', version: '3.1', score: 6.8 },
  { v: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', version: '3.1', score: 10 },
  { v: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', version: '3.0', score: 9.8 },
  { v: 'CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:L/A:L', version: '3.0', score: 6.3 },
  { v: 'AV:L/AC:M/Au:N/C:N/I:P/A:C', version: '2.0', score: 5.4 },
  { v: 'AV:N/AC:L/Au:N/C:C/I:C/A:C', version: '2.0', score: 10 },
  { v: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N', version: '4.0', score: 5.1 },
] as const;

for (const c of vectors) test(`cvss ${c.v}`, () => assert.deepEqual(scoreCvss(c.v), { version: c.version, score: c.score }));

for (const bad of ['', 'garbage', 'CVSS:3.1/AV:N', 'CVSS:9.9/AV:N/AC:L', `CVSS:3.1/${'AV:N/'.repeat(200)}`]) {
  test(`cvss rejects ${JSON.stringify(bad.slice(0, 20))}`, () => assert.equal(scoreCvss(bad), undefined));
}

const levels = [
  { s: 9.0, v: '3.1', want: 'CRITICAL' }, { s: 8.9, v: '3.1', want: 'HIGH' }, { s: 7.0, v: '3.0', want: 'HIGH' },
  { s: 6.9, v: '4.0', want: 'MEDIUM' }, { s: 4.0, v: '3.1', want: 'MEDIUM' }, { s: 3.9, v: '3.1', want: 'LOW' },
  { s: 10, v: '2.0', want: 'HIGH' }, { s: 0, v: '3.1', want: 'LOW' },
] as const;
for (const c of levels) test(`level ${c.s} v${c.v}`, () => assert.equal(levelForScore(c.s, c.v), c.want));

function rated(a: Advisory, isOsPackage = false, specific: Record<string, unknown> = {}): RatedRecord {
  return { advisory: a, severities: [], specific, isOsPackage };
}

test('precedence: distribution urgency beats CVSS for OS packages only', () => {
  const ghsa = advisory('ghsa-subset', 'GHSA-jfh8-c2jp-5v3q'); // CVSS 3.1 10.0, label CRITICAL
  const recs = [rated(ghsa, true, { urgency: 'low' })];
  assert.deepEqual(rateSeverity(recs, cvssScores(recs)), { level: 'LOW', source: 'distribution', advisory: ghsa.id, type: 'urgency' });
  const lib = [rated(ghsa, false, { urgency: 'low' })];
  assert.deepEqual(rateSeverity(lib, cvssScores(lib)), { level: 'CRITICAL', score: 10, source: 'cvss', advisory: ghsa.id, type: 'CVSS_V3' });
});

test('precedence: v3 beats v4 and v2; the GHSA label is the fallback; else UNKNOWN', () => {
  const base = advisory('ghsa-subset', 'GHSA-jfh8-c2jp-5v3q');
  const multi: Advisory = { ...base, severity: [
    { type: 'CVSS_V2', score: 'AV:N/AC:L/Au:N/C:C/I:C/A:C' },
    { type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N' },
    { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:N/A:N' },
  ] };
  const r1 = [rated(multi)];
  assert.equal(rateSeverity(r1, cvssScores(r1)).score, 6.8);
  assert.equal(cvssScores(r1).length, 3);
  const labelOnly = [rated({ ...base, severity: [] })];
  assert.deepEqual(rateSeverity(labelOnly, cvssScores(labelOnly)), { level: 'CRITICAL', source: 'ghsa', advisory: base.id, type: 'database_specific.severity' });
  const nothing = [rated({ ...base, severity: [], databaseSpecific: {} })];
  assert.deepEqual(rateSeverity(nothing, []), { level: 'UNKNOWN', source: 'none' });
});
