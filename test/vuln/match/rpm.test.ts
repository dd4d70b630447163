// rpm matching over a real CentOS 7 rpm database (go-rpmdb's centos7-plain, read by bosun's rpm
// cataloger) labelled RHEL 7. The advisories are OSV records written here in the shapes the
// distributions publish — Red Hat's data names source rpms, AlmaLinux/Rocky errata name binary
// rpms, both with epochs in fixed versions — carrying real errata's fixed versions; ../shared has
// no rpm-distribution advisories to use instead.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { catalog } from '../../../src/sbom/catalog.js';
import { rpmCataloger } from '../../../src/sbom/catalogers/rpm.js';
import type { Sbom } from '../../../src/sbom/model.js';
import { parseOsv } from '../../../src/vuln/match/memory-source.js';
import { match } from '../../../src/vuln/match/match.js';
import { dirTree } from '../../helpers/dir-tree.js';
import { compareForTests as compare, sourceOf } from '../../helpers/memory-advisories.js';
import { goRpmdbPackages, rootWith } from '../../helpers/rpmdb.js';

async function rhel7(): Promise<Sbom> {
  const root = rootWith('var/lib/rpm/Packages', readFileSync(goRpmdbPackages('centos7-plain')));
  mkdirSync(path.join(root, 'etc'), { recursive: true });
  writeFileSync(path.join(root, 'etc/os-release'), 'NAME="Red Hat Enterprise Linux Server"\nID="rhel"\nVERSION_ID="7.5"\n');
  return catalog(dirTree(root), { source: { kind: 'directory', name: 'centos7' }, catalogers: [rpmCataloger] });
}

function osv(id: string, cve: string, affected: Array<[ecosystem: string, name: string, fixed: string]>) {
  const doc = {
    schema_version: '1.6.0', id, modified: '2024-01-01T00:00:00Z', aliases: [cve],
    affected: affected.map(([ecosystem, name, fixed]) => ({ package: { ecosystem, name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }] })),
  };
  return parseOsv(JSON.stringify(doc), `${id}.json`);
}

// Installed (rpm -qa of centos7-plain): openssl-libs 1:1.0.2k-12.el7 from openssl-1.0.2k-12.el7.src.rpm,
// systemd-libs 219-57.el7_5.3 from systemd-219-57.el7_5.3.src.rpm, bash 4.2.46-30.el7.
const advisories = [
  // source-named, fixed later than installed: affected, reported on the binary openssl-libs
  osv('RHSA-2018:3221', 'CVE-2018-0737', [['Red Hat:7', 'openssl', '1:1.0.2k-16.el7']]),
  // source-named, fixed earlier: the source version must carry the binary's epoch (1:), or
  // 1.0.2k-12 < 1:1.0.2k-8 would raise a false finding
  osv('RHSA-2017:1865', 'CVE-2016-7055', [['Red Hat:7', 'openssl', '1:1.0.2k-8.el7']]),
  // binary-named (AlmaLinux/Rocky style): found through the binary name
  osv('ALSA-2018:3327', 'CVE-2018-15688', [['Red Hat:7', 'systemd-libs', '219-62.el7']]),
  // names source and binary: one finding, not two
  osv('RHSA-2019:0201', 'CVE-2018-16864', [['Red Hat:7', 'systemd', '219-62.el7_6.3'], ['Red Hat:7', 'systemd-libs', '219-62.el7_6.3']]),
  // fixed version equal to installed: not affected
  osv('RHSA-2017:1931', 'CVE-2016-9401', [['Red Hat:7', 'bash', '4.2.46-30.el7']]),
  // another release: never matches a RHEL 7 package
  osv('RHSA-2023:0001', 'CVE-2022-4304', [['Red Hat:8', 'openssl', '1:1.1.1k-9.el8']]),
];

test('rpm: source rpm and binary names, epochs carried to the source version, one finding per CVE', async () => {
  const { findings } = await match(await rhel7(), sourceOf(advisories), { compare });
  const got = findings.map((f) => [f.package.name, f.id, f.installedVersion, f.fixedVersion ?? '']).sort();
  assert.deepEqual(got, [
    ['openssl-libs', 'CVE-2018-0737', '1:1.0.2k-12.el7', '1:1.0.2k-16.el7'],
    ['systemd', 'CVE-2018-16864', '219-57.el7_5.3', '219-62.el7_6.3'],
    ['systemd-libs', 'CVE-2018-15688', '219-57.el7_5.3', '219-62.el7'],
    ['systemd-libs', 'CVE-2018-16864', '219-57.el7_5.3', '219-62.el7_6.3'],
  ]);
});
