// The matcher against real advisories (shared/advisories) and packages described by real Debian
// bookworm control data (historical versions from the archive, pinned so expectations never drift)
// and real npm/PyPI/Maven/Go package coordinates. Every expectation names the range it comes from.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { catalog } from '../../../src/sbom/catalog.js';
import { dpkgCataloger } from '../../../src/sbom/catalogers/index.js';
import type { Package, PackageType, Sbom } from '../../../src/sbom/model.js';
import type { Advisory } from '../../../src/vuln/advisory.js';
import type { Finding } from '../../../src/vuln/match/finding.js';
import { match } from '../../../src/vuln/match/match.js';
import { dirTree } from '../../helpers/dir-tree.js';
import { compareForTests as compare } from '../../helpers/memory-advisories.js';
import { advisory, sourceOf } from '../../helpers/memory-advisories.js';
import { bookwormExpatXzStatus, debianOsRelease, writeTree } from '../../helpers/sbom-fixture.js';

// bookworm's libexpat1 and liblzma5 (sbom-fixture.ts), and libcap2 1:2.66-4, as they were shipped.
const status = `${bookwormExpatXzStatus}
Package: libcap2
Status: install ok installed
Architecture: amd64
Version: 1:2.66-4
Description: POSIX 1003.1e capabilities (library)
`;

async function debianSbom(osRelease = debianOsRelease): Promise<Sbom> {
  const root = writeTree({ 'etc/os-release': osRelease, 'var/lib/dpkg/status': status });
  return catalog(dirTree(root), { source: { kind: 'directory', name: 'bookworm' }, catalogers: [dpkgCataloger] });
}

const debianIds = [
  'DEBCL-CVE-2022-43680', 'DEBCL-CVE-2023-52425', 'DEBCL-CVE-2024-45490', 'DEBCL-CVE-2026-102633',
  'DEBCL-CVE-2025-31115', 'DEBCL-CVE-2026-34743', 'DEBCL-CVE-2023-2602', 'DEBCL-CVE-2025-1390', 'DEBCL-CVE-2026-4878',
];
const debianSource = (): ReturnType<typeof sourceOf> => sourceOf(debianIds.map((id) => advisory('debian-changelog', id)));

function byId(findings: readonly Finding[], pkg: string): Map<string, Finding> {
  return new Map(findings.filter((f) => f.package.name === pkg).map((f) => [f.id, f]));
}

const debianCases = [
  // expat, installed source version 2.5.0-1+deb12u1
  { pkg: 'libexpat1', id: 'CVE-2022-43680', fixed: undefined }, // fixed 2.5.0-1 < installed: not affected
  { pkg: 'libexpat1', id: 'CVE-2024-45490', fixed: undefined }, // fixed 2.5.0-1+deb12u1 == installed: not affected
  { pkg: 'libexpat1', id: 'CVE-2023-52425', fixed: '2.5.0-1+deb12u2' }, // introduced 0, fixed 2.5.0-1+deb12u2
  { pkg: 'libexpat1', id: 'CVE-2026-102633', fixed: '2.5.0-1+deb12u5' }, // introduced 0, fixed 2.5.0-1+deb12u5
  // xz-utils (source of liblzma5), installed 5.4.1-1
  { pkg: 'liblzma5', id: 'CVE-2025-31115', fixed: undefined }, // fixed 5.4.1-1 == installed
  { pkg: 'liblzma5', id: 'CVE-2026-34743', fixed: '5.4.1-1+deb12u1' }, // fixed 5.4.1-1+deb12u1
  // libcap2, epoch 1, installed 1:2.66-4
  { pkg: 'libcap2', id: 'CVE-2023-2602', fixed: undefined }, // fixed 1:2.66-4 == installed
  { pkg: 'libcap2', id: 'CVE-2025-1390', fixed: '1:2.66-4+deb12u1' }, // fixed 1:2.66-4+deb12u1
  { pkg: 'libcap2', id: 'CVE-2026-4878', fixed: '1:2.66-4+deb12u3' }, // fixed 1:2.66-4+deb12u3
] as const;

test('Debian 12: binary packages match their source package at the source version', async () => {
  const { findings } = await match(await debianSbom(), debianSource(), { compare });
  for (const c of debianCases) {
    const f = byId(findings, c.pkg).get(c.id);
    if (c.fixed === undefined) {
      assert.equal(f, undefined, `${c.pkg} ${c.id} must not match`);
      continue;
    }
    assert.ok(f, `${c.pkg} ${c.id} must match`);
    assert.equal(f.status, 'fixed');
    assert.equal(f.fixedVersion, c.fixed);
    assert.equal(f.ecosystem, 'Debian:12');
    assert.deepEqual(f.advisories, [`DEBCL-${c.id}`]);
  }
  const expat = findings.find((f) => f.package.name === 'libexpat1')!;
  assert.equal(expat.package.sourceName, 'expat');
  assert.equal(expat.installedVersion, '2.5.0-1+deb12u1');
  assert.equal(findings.length, debianCases.filter((c) => c.fixed !== undefined).length);
});

test('Debian 11 does not match Debian:12 records', async () => {
  const bullseye = debianOsRelease.replace('VERSION_ID="12"', 'VERSION_ID="11"');
  const { findings } = await match(await debianSbom(bullseye), debianSource(), { compare });
  assert.deepEqual(findings, []);
});

test('a release past its end of life is noted; a supported one is not', async () => {
  const buster = debianOsRelease.replace('VERSION_ID="12"', 'VERSION_ID="10"');
  const old = await match(await debianSbom(buster), debianSource(), { compare, now: new Date('2026-11-22T00:00:00Z') });
  assert.deepEqual(old.notes.map((n) => n.kind), ['eol']);
  const current = await match(await debianSbom(), debianSource(), { compare, now: new Date('2026-11-22T00:00:00Z') });
  assert.deepEqual(current.notes, []);
});

function pkg(type: PackageType, name: string, version: string, purl: string): Package {
  return { id: `${type}-${name}-${version}`, name, version, type, purl, licenses: [], locations: [{ path: `/x/${name}` }], foundBy: 'test', metadata: {} };
}

function sbomOf(...packages: Package[]): Sbom {
  return { source: { kind: 'document', name: 'test' }, packages, relationships: [], problems: [] };
}

async function ids(p: Package, records: readonly Advisory[]): Promise<Array<[string, string | undefined]>> {
  const { findings } = await match(sbomOf(p), sourceOf(records), { compare });
  return findings.map((f) => [f.id, f.fixedVersion]);
}

const log4j = (): Advisory => advisory('ghsa-subset', 'GHSA-jfh8-c2jp-5v3q');
const goStd = (): Advisory[] => [advisory('go-vulndb', 'GO-2023-2185'), advisory('go-vulndb', 'GO-2023-2186')];
const languageCases: Array<{ name: string; p: () => Package; records: () => Advisory[]; want: Array<[string, string | undefined]> }> = [
  // log4j-core GHSA-jfh8: [2.13.0, 2.15.0), [0, 2.3.1), [2.4, 2.12.2)
  { name: 'maven log4j-core 2.14.1 in [2.13.0,2.15.0)', p: () => pkg('maven', 'log4j-core', '2.14.1', 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1'), records: () => [log4j()], want: [['CVE-2021-44228', '2.15.0']] },
  { name: 'maven log4j-core 2.12.1 in [2.4,2.12.2)', p: () => pkg('maven', 'log4j-core', '2.12.1', 'pkg:maven/org.apache.logging.log4j/log4j-core@2.12.1'), records: () => [log4j()], want: [['CVE-2021-44228', '2.12.2']] },
  { name: 'maven log4j-core 2.12.2 at the fix', p: () => pkg('maven', 'log4j-core', '2.12.2', 'pkg:maven/org.apache.logging.log4j/log4j-core@2.12.2'), records: () => [log4j()], want: [] },
  { name: 'maven log4j-core 2.15.0 at the fix', p: () => pkg('maven', 'log4j-core', '2.15.0', 'pkg:maven/org.apache.logging.log4j/log4j-core@2.15.0'), records: () => [log4j()], want: [] },
  { name: 'maven group must match', p: () => pkg('maven', 'log4j-core', '2.14.1', 'pkg:maven/org.example/log4j-core@2.14.1'), records: () => [log4j()], want: [] },
  // GO-2023-2185 stdlib: [0,1.20.11) [1.21.0-0,1.21.4) and [1.20.11,1.20.12) [1.21.4,1.21.5); GO-2023-2186: first only
  { name: 'go stdlib go1.21.3', p: () => pkg('golang', 'stdlib', 'go1.21.3', 'pkg:golang/stdlib@go1.21.3'), records: goStd, want: [['CVE-2023-45283', '1.21.4'], ['CVE-2023-45284', '1.21.4']] },
  { name: 'go stdlib go1.21.4: second entry only', p: () => pkg('golang', 'stdlib', 'go1.21.4', 'pkg:golang/stdlib@go1.21.4'), records: goStd, want: [['CVE-2023-45283', '1.21.5']] },
  { name: 'go stdlib go1.21.5: clear', p: () => pkg('golang', 'stdlib', 'go1.21.5', 'pkg:golang/stdlib@go1.21.5'), records: goStd, want: [] },
  // NSWG-ECO-516 lodash SEMVER [4.17.15, 4.17.19)
  { name: 'npm lodash 4.17.15 at introduced', p: () => pkg('npm', 'lodash', '4.17.15', 'pkg:npm/lodash@4.17.15'), records: () => [advisory('nodejs-security-wg', 'NSWG-ECO-516')], want: [['NSWG-ECO-516', '4.17.19']] },
  { name: 'npm lodash 4.17.14 just below introduced', p: () => pkg('npm', 'lodash', '4.17.14', 'pkg:npm/lodash@4.17.14'), records: () => [advisory('nodejs-security-wg', 'NSWG-ECO-516')], want: [] },
  // PYSEC-2024-60 idna [0, 3.7); the package name normalised per PEP 503
  { name: 'pypi IDNA 3.6 (name normalised)', p: () => pkg('pypi', 'IDNA', '3.6', 'pkg:pypi/IDNA@3.6'), records: () => [advisory('pypa', 'PYSEC-2024-60')], want: [['CVE-2024-3651', '3.7']] },
  { name: 'pypi idna 3.7 at the fix', p: () => pkg('pypi', 'idna', '3.7', 'pkg:pypi/idna@3.7'), records: () => [advisory('pypa', 'PYSEC-2024-60')], want: [] },
];

for (const c of languageCases) {
  test(`language: ${c.name}`, async () => assert.deepEqual(await ids(c.p(), c.records()), c.want));
}

test('an SBOM spanning several source lookups gets the findings its packages get one by one', async () => {
  // 350 packages: match() asks the source for a bounded number at a time, and one record's
  // packages land in different lookups; findings must not depend on where the cuts fall
  const cases = Array.from({ length: 350 }, (_, i) => languageCases[(i * 7) % languageCases.length]!);
  const records = [...new Map(languageCases.flatMap((c) => c.records()).map((a) => [a.id, a])).values()];
  const packages = cases.map((c, i) => ({ ...c.p(), id: `p${i}` }));
  const whole = await match(sbomOf(...packages), sourceOf(records), { compare });
  const oneByOne = (await Promise.all(packages.map(async (p) => (await match(sbomOf(p), sourceOf(records), { compare })).findings))).flat();
  const key = (f: Finding): string => `${f.package.id} ${f.id} ${f.fixedVersion ?? '-'} ${f.status}`;
  assert.ok(whole.findings.length > 100);
  assert.deepEqual(whole.findings.map(key).sort(), oneByOne.map(key).sort());
});

test('withdrawn records never match, even when their ranges do', async () => {
  // PYSEC-2019-144 arrayfire: introduced 0, fixed 3.6.0, withdrawn 2022-09-09
  const withdrawn = advisory('pypa', 'PYSEC-2019-144');
  assert.ok(withdrawn.withdrawn);
  const p = pkg('pypi', 'arrayfire', '3.5.0', 'pkg:pypi/arrayfire@3.5.0');
  assert.deepEqual(await ids(p, [withdrawn]), []);
  const { withdrawn: _w, ...live } = withdrawn;
  assert.deepEqual(await ids(p, [live]), [['CVE-2018-20998', '3.6.0']]); // its alias
});

test('one vulnerability from three sources is one finding with every id', async () => {
  // urllib3 1.26.12: CVE-2023-43804 as GHSA-v845-jxx5-vc9f (fixed 1.26.17) and PYSEC-2023-192
  const records = [advisory('ghsa-subset', 'GHSA-v845-jxx5-vc9f'), advisory('pypa', 'PYSEC-2023-192')];
  const { findings } = await match(sbomOf(pkg('pypi', 'urllib3', '1.26.12', 'pkg:pypi/urllib3@1.26.12')), sourceOf(records), { compare });
  assert.equal(findings.length, 1);
  const f = findings[0]!;
  assert.equal(f.id, 'CVE-2023-43804');
  assert.deepEqual(f.advisories, ['GHSA-v845-jxx5-vc9f', 'PYSEC-2023-192']);
  assert.ok(f.aliases.includes('GHSA-v845-jxx5-vc9f') && f.aliases.includes('PYSEC-2023-192'));
  assert.equal(f.fixedVersion, '1.26.17');
  assert.equal(f.severity.source, 'cvss');
});

test('an unfixed range gives status affected with no fixed version', async () => {
  const { withdrawn: _w, ...rec } = advisory('pypa', 'PYSEC-2020-221'); // ansible: introduced 0, no fix
  const { findings } = await match(sbomOf(pkg('pypi', 'ansible', '1.1', 'pkg:pypi/ansible@1.1')), sourceOf([rec]), { compare });
  assert.equal(findings[0]?.status, 'affected');
  assert.equal(findings[0]?.fixedVersion, undefined);
});

test('a distribution status (no-dsa, end-of-life) becomes will_not_fix / end_of_life', async () => {
  const base = advisory('debian-changelog', 'DEBCL-CVE-2026-34743');
  const noFix = (status: string): Advisory => ({
    ...base, id: `X-${status}`, aliases: [`CVE-X-${status}`],
    affected: base.affected.map((a) => ({ ...a, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }], ecosystemSpecific: { status } })),
  });
  const { findings } = await match(await debianSbom(), sourceOf([noFix('no-dsa'), noFix('end-of-life')]), { compare });
  assert.deepEqual(findings.map((f) => [f.advisories[0], f.status]), [['X-end-of-life', 'end_of_life'], ['X-no-dsa', 'will_not_fix']]);
});

test('a version its ecosystem rejects becomes a note, not a failure', async () => {
  const p = pkg('npm', 'lodash', 'not-a-version', 'pkg:npm/lodash@not-a-version');
  const r = await match(sbomOf(p), sourceOf([advisory('nodejs-security-wg', 'NSWG-ECO-516')]), { compare });
  assert.deepEqual(r.findings, []);
  assert.deepEqual(r.notes.map((n) => [n.kind, n.advisory]), [['version-invalid', 'NSWG-ECO-516']]);
});
