// A deterministic scan report from real data for the writer tests: Debian bookworm packages
// (historical versions, real control data) plus npm/PyPI/Maven packages, matched against real
// advisories, with one finding suppressed by an ignore rule and one by an OpenVEX statement.
import { catalog } from '../../src/sbom/catalog.js';
import { dpkgCataloger } from '../../src/sbom/catalogers/index.js';
import type { Package, Sbom } from '../../src/sbom/model.js';
import { parseIgnoreText } from '../../src/vuln/suppress/ignorefile.js';
import { parseVex } from '../../src/vuln/suppress/vex.js';
import type { ScanReport } from '../../src/vuln/scan/report.js';
import { scanSbom } from '../../src/vuln/scan/scan.js';
import { dirTree } from './dir-tree.js';
import { advisory, compareForTests, sourceOf } from './memory-advisories.js';
import { bookwormExpatXzStatusWith, debianOsRelease, writeTree } from './sbom-fixture.js';

// a later bookworm security update of expat than the SBOM fixture's
const status = bookwormExpatXzStatusWith('2.5.0-1+deb12u3');

const layer = 'sha256:3f1e4f5a8a32c0e2b9b0d3d6d2c1a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4' as const;

function lib(type: Package['type'], name: string, version: string, purl: string, file: string): Package {
  return { id: `${type}:${name}@${version}`, name, version, type, purl, licenses: [], locations: [{ path: file, layer }], foundBy: 'test', metadata: {} };
}

export const FIXED_NOW = new Date('2026-11-22T06:00:00Z');

/** The sample report; `now` pins every timestamp. */
export async function sampleReport(): Promise<ScanReport> {
  const root = writeTree({ 'etc/os-release': debianOsRelease, 'var/lib/dpkg/status': status });
  const os = await catalog(dirTree(root, { layer }), { source: { kind: 'directory', name: 'bookworm' }, catalogers: [dpkgCataloger] });
  const sbom: Sbom = {
    ...os,
    source: { kind: 'image', name: 'registry.example/app:1.0', digest: 'sha256:0d5b8c4e2a1f3b6c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c' },
    packages: [
      ...os.packages,
      lib('maven', 'log4j-core', '2.14.1', 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', '/app/lib/log4j-core-2.14.1.jar'),
      lib('pypi', 'urllib3', '1.26.12', 'pkg:pypi/urllib3@1.26.12', '/usr/lib/python3/dist-packages/urllib3-1.26.12.dist-info/METADATA'),
      lib('npm', 'lodash', '4.17.15', 'pkg:npm/lodash@4.17.15', '/app/node_modules/lodash/package.json'),
    ],
  };
  const records = [
    'DEBCL-CVE-2026-102633', 'DEBCL-CVE-2026-56132', 'DEBCL-CVE-2024-45490', 'DEBCL-CVE-2026-34743',
  ].map((id) => advisory('debian-changelog', id));
  records.push(advisory('ghsa-subset', 'GHSA-jfh8-c2jp-5v3q'), advisory('ghsa-subset', 'GHSA-v845-jxx5-vc9f'), advisory('pypa', 'PYSEC-2023-192'));
  records.push(advisory('nodejs-security-wg', 'NSWG-ECO-516'), advisory('ghsa-subset', 'GHSA-29mw-wpgm-hmr9'));
  const rules = parseIgnoreText('# accepted until the next release\nCVE-2026-56132 exp:2027-01-31\n', '.bosunignore');
  const vex = parseVex(JSON.stringify({
    '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'https://example.invalid/vex/1', author: 'sec team', timestamp: '2026-11-01T00:00:00Z', version: 1,
    statements: [{ vulnerability: { name: 'CVE-2021-44228' }, products: [{ '@id': 'pkg:maven/org.apache.logging.log4j/log4j-core' }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', impact_statement: 'JNDI lookups are disabled' }],
  }), 'app.openvex.json');
  return scanSbom(sbom, sourceOf(records), {
    compare: compareForTests, scannerVersion: '0.1.0', db: { kind: 'osv-json', location: 'shared/advisories' },
    rules, vex, startedAt: FIXED_NOW, now: () => FIXED_NOW, platform: 'linux/amd64',
  });
}
