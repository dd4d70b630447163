import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isBosunError } from '../../../src/errors.js';
import type { Finding } from '../../../src/vuln/match/finding.js';
import { applySuppressions } from '../../../src/vuln/suppress/apply.js';
import { isRuleActive, parseIgnoreText, parseIgnoreYaml } from '../../../src/vuln/suppress/ignorefile.js';
import { parseVex, productCovers, purlMatches } from '../../../src/vuln/suppress/vex.js';
import { filterFindings } from '../../../src/vuln/scan/filter.js';

const digest = `sha256:${'ab'.repeat(32)}`;

function finding(over: Partial<Finding> & { purl?: string; type?: Finding['package']['type'] } = {}): Finding {
  const purl = over.purl ?? 'pkg:npm/lodash@4.17.15';
  return {
    id: 'CVE-2020-28500', aliases: ['GHSA-29mw-wpgm-hmr9'], advisories: ['GHSA-29mw-wpgm-hmr9'],
    package: { id: 'p1', name: 'lodash', version: '4.17.15', type: over.type ?? 'npm', purl, locations: [{ path: '/app/node_modules/lodash/package.json' }] },
    ecosystem: 'npm', installedVersion: '4.17.15', status: 'fixed', fixedVersion: '4.17.21', fixedVersions: ['4.17.21'],
    severity: { level: 'MEDIUM', source: 'cvss', score: 5.3 }, cvss: [], references: [], ...over,
  };
}

test('ignore text: ids, comments, blank lines, expiry', () => {
  const rules = parseIgnoreText('# header\n\nCVE-2020-28500\nGHSA-xxxx-yyyy-zzzz exp:2026-12-31  # until the upgrade\n', '.trivyignore');
  assert.deepEqual(rules, [
    { id: 'CVE-2020-28500', origin: '.trivyignore:3' },
    { id: 'GHSA-xxxx-yyyy-zzzz', origin: '.trivyignore:4', expires: '2026-12-31' },
  ]);
});

for (const bad of ['CVE-1 exp:2026-13-45', 'CVE-1 exp:tomorrow', 'CVE-1 extra']) {
  test(`ignore text rejects "${bad}"`, () => assert.throws(() => parseIgnoreText(bad, 'f'), (e) => isBosunError(e, 'VULN_IGNOREFILE_INVALID')));
}

test('ignore yaml: purls, paths, expiry, statement', () => {
  const rules = parseIgnoreYaml('vulnerabilities:\n  - id: CVE-2020-28500\n    purls: ["pkg:npm/lodash"]\n    expired_at: 2027-01-01\n    statement: not reachable\n', 'x.yaml');
  assert.deepEqual(rules, [{ id: 'CVE-2020-28500', origin: 'x.yaml:vulnerabilities[0]', expires: '2027-01-01', purls: ['pkg:npm/lodash'], statement: 'not reachable' }]);
  assert.throws(() => parseIgnoreYaml('vulnerabilities: [{ purls: [] }]', 'y.yaml'), (e) => isBosunError(e, 'VULN_IGNOREFILE_INVALID'));
});

const expiryCases = [
  { now: '2026-12-31T23:59:59Z', want: true }, // the expiry day itself still counts
  { now: '2027-01-01T00:00:00Z', want: false }, // the next day it no longer does
] as const;
for (const c of expiryCases) {
  test(`ignore rule expiring 2026-12-31 at ${c.now}: active=${c.want}`, () => {
    const rule = { id: 'X', origin: 'f:1', expires: '2026-12-31' };
    assert.equal(isRuleActive(rule, new Date(c.now)), c.want);
    const out = applySuppressions([finding({ id: 'X' })], { rules: [rule], now: new Date(c.now) });
    assert.equal(out[0]!.suppression !== undefined, c.want);
  });
}

test('ignore rules match aliases and respect purl narrowing', () => {
  const now = new Date('2026-11-22T00:00:00Z');
  assert.equal(applySuppressions([finding()], { rules: [{ id: 'GHSA-29mw-wpgm-hmr9', origin: 'f:1' }], now })[0]!.suppression?.origin, 'f:1');
  assert.equal(applySuppressions([finding()], { rules: [{ id: 'CVE-2020-28500', origin: 'f:1', purls: ['pkg:npm/underscore'] }], now })[0]!.suppression, undefined);
  assert.equal(applySuppressions([finding()], { rules: [{ id: 'CVE-1999-0001', origin: 'f:1' }], now })[0]!.suppression, undefined);
});

const purlCases = [
  { product: 'pkg:npm/lodash', pkg: 'pkg:npm/lodash@4.17.15', want: true },
  { product: 'pkg:npm/lodash@4.17.15', pkg: 'pkg:npm/lodash@4.17.15', want: true },
  { product: 'pkg:npm/lodash@4.17.21', pkg: 'pkg:npm/lodash@4.17.15', want: false },
  { product: 'pkg:npm/lodash-es', pkg: 'pkg:npm/lodash@4.17.15', want: false },
  { product: 'pkg:deb/debian/libexpat1?arch=amd64', pkg: 'pkg:deb/debian/libexpat1@2.5.0-1?arch=amd64&distro=debian-12', want: true },
  { product: 'pkg:deb/debian/libexpat1?arch=arm64', pkg: 'pkg:deb/debian/libexpat1@2.5.0-1?arch=amd64', want: false },
  { product: 'not a purl', pkg: 'pkg:npm/lodash@1', want: false },
] as const;
for (const c of purlCases) test(`purl ${c.product} covers ${c.pkg}: ${c.want}`, () => assert.equal(purlMatches(c.product, c.pkg), c.want));

test('image products: the digest must be the scanned image; subcomponents narrow to packages', () => {
  const image = { id: `pkg:oci/app@${digest.replace(':', '%3A')}?repository_url=registry.example/app`, subcomponents: [] };
  assert.equal(productCovers(image, 'pkg:npm/lodash@4.17.15', digest), true);
  assert.equal(productCovers(image, 'pkg:npm/lodash@4.17.15', `sha256:${'cd'.repeat(32)}`), false);
  const narrowed = { id: digest, subcomponents: ['pkg:npm/underscore'] };
  assert.equal(productCovers(narrowed, 'pkg:npm/lodash@4.17.15', digest), false);
  assert.equal(productCovers({ ...narrowed, subcomponents: ['pkg:npm/lodash'] }, 'pkg:npm/lodash@4.17.15', digest), true);
});

const openvex = (status: string, extra: Record<string, unknown> = {}): string => JSON.stringify({
  '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'urn:x', author: 'a', timestamp: '2026-01-01T00:00:00Z', version: 1,
  statements: [{ vulnerability: { name: 'CVE-2020-28500' }, products: [{ '@id': 'pkg:npm/lodash' }], status, ...extra }],
});

test('OpenVEX: not_affected suppresses with its justification; affected does not', () => {
  const na = parseVex(openvex('not_affected', { justification: 'vulnerable_code_not_present' }), 'v.json');
  assert.deepEqual(applySuppressions([finding()], { vex: na })[0]!.suppression, { kind: 'vex', origin: 'v.json', status: 'not_affected', justification: 'vulnerable_code_not_present' });
  assert.equal(applySuppressions([finding()], { vex: parseVex(openvex('affected'), 'v.json') })[0]!.suppression, undefined);
  assert.equal(applySuppressions([finding({ purl: 'pkg:npm/underscore@1.0.0' })], { vex: na })[0]!.suppression, undefined);
});

test('OpenVEX: the newest statement about a vulnerability and product decides', () => {
  const doc = JSON.stringify({
    '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'urn:x', author: 'a', timestamp: '2026-01-01T00:00:00Z', version: 2,
    statements: [
      { vulnerability: { name: 'CVE-2020-28500' }, products: [{ '@id': 'pkg:npm/lodash' }], status: 'not_affected', justification: 'component_not_present', timestamp: '2026-03-01T00:00:00Z' },
      { vulnerability: { name: 'CVE-2020-28500' }, products: [{ '@id': 'pkg:npm/lodash' }], status: 'affected', timestamp: '2026-02-01T00:00:00Z' },
    ],
  });
  assert.equal(applySuppressions([finding()], { vex: parseVex(doc, 'v') })[0]!.suppression?.status, 'not_affected');
});

test('CycloneDX VEX: analysis state not_affected on a bom-ref resolving to the purl suppresses', () => {
  const doc = JSON.stringify({
    bomFormat: 'CycloneDX', specVersion: '1.6', version: 1,
    components: [{ type: 'library', 'bom-ref': 'lodash-ref', name: 'lodash', purl: 'pkg:npm/lodash@4.17.15' }],
    vulnerabilities: [{ id: 'GHSA-29mw-wpgm-hmr9', analysis: { state: 'not_affected', justification: 'code_not_reachable', detail: 'trim unused' }, affects: [{ ref: 'lodash-ref' }] }],
  });
  const s = applySuppressions([finding()], { vex: parseVex(doc, 'bom.json') })[0]!.suppression;
  assert.deepEqual(s, { kind: 'vex', origin: 'bom.json', status: 'not_affected', justification: 'code_not_reachable', statement: 'trim unused' });
});

test('CycloneDX VEX: false_positive suppresses as not_affected and keeps the state the document wrote', () => {
  const doc = JSON.stringify({
    bomFormat: 'CycloneDX', specVersion: '1.6', version: 1,
    vulnerabilities: [{ id: 'CVE-2020-28500', analysis: { state: 'false_positive' }, affects: [{ ref: 'pkg:npm/lodash@4.17.15' }] }],
  });
  const s = applySuppressions([finding()], { vex: parseVex(doc, 'bom.json') })[0]!.suppression;
  assert.deepEqual(s, { kind: 'vex', origin: 'bom.json', status: 'not_affected', documentStatus: 'false_positive' });
});

for (const bad of ['not json', '{"hello":1}', JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0', statements: [{ status: 'maybe' }] })]) {
  test(`VEX rejects ${bad.slice(0, 30)}`, () => assert.throws(() => parseVex(bad, 'x'), (e) => isBosunError(e, 'VULN_VEX_INVALID')));
}

test('filters: severity list, ignore-unfixed, package kinds', () => {
  const os = finding({ id: 'CVE-OS', type: 'deb', status: 'affected', fixedVersions: [], severity: { level: 'HIGH', source: 'distribution' } });
  const lib = finding();
  const ids = (fs: Finding[]): string[] => fs.map((f) => f.id);
  assert.deepEqual(ids(filterFindings([os, lib], { severities: ['HIGH', 'CRITICAL'] })), ['CVE-OS']);
  assert.deepEqual(ids(filterFindings([os, lib], { ignoreUnfixed: true })), ['CVE-2020-28500']);
  assert.deepEqual(ids(filterFindings([os, lib], { pkgTypes: ['os'] })), ['CVE-OS']);
  assert.deepEqual(ids(filterFindings([os, lib], { pkgTypes: ['library'] })), ['CVE-2020-28500']);
  assert.deepEqual(ids(filterFindings([os, lib], {})), ['CVE-OS', 'CVE-2020-28500']);
});
