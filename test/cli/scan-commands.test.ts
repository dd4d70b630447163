// End to end through bin/bosun.js: `rootfs`, `fs`, `image` (OCI layout) and `sbom-scan` over the
// same real package facts (bookworm's libexpat1 2.5.0-1+deb12u1 and liblzma5 5.4.1-1 control data;
// npm's lodash 4.17.15 manifest) against real advisories copied from shared/advisories.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { catalog } from '../../src/sbom/catalog.js';
import { toCycloneDx } from '../../src/sbom/codecs/cyclonedx.js';
import type { ScanReport } from '../../src/vuln/scan/report.js';
import { dirTree } from '../helpers/dir-tree.js';
import { osvDir } from '../helpers/memory-advisories.js';
import * as layout from '../../src/oci/layout.js';
import { imageFixture } from '../helpers/oci-image.js';
import { bookwormExpatXzStatus, debianOsRelease } from '../helpers/sbom-fixture.js';
import { importDatabase } from '../../src/vuln/db/index.js';
import { runBosun, type Run } from '../helpers/bosun-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const bosun = (args: string[], cwd?: string): Promise<Run> => runBosun(args, { cwd });

const status = bookwormExpatXzStatus;
const files: Record<string, string> = {
  'etc/os-release': debianOsRelease,
  'var/lib/dpkg/status': status,
  'app/node_modules/lodash/package.json': JSON.stringify({ name: 'lodash', version: '4.17.15', license: 'MIT' }),
};

// Expected, by hand from the records' ranges:
//   expat 2.5.0-1+deb12u1: CVE-2023-52425 (fixed 2.5.0-1+deb12u2), CVE-2026-102633 (fixed +deb12u5);
//                          CVE-2024-45490 (fixed +deb12u1 == installed) does not match
//   xz-utils 5.4.1-1:      CVE-2026-34743 (fixed 5.4.1-1+deb12u1); CVE-2025-31115 (fixed 5.4.1-1) does not
//   lodash 4.17.15:        CVE-2020-28500 (GHSA-29mw: introduced 0, fixed 4.17.21),
//                          NSWG-ECO-516 (SEMVER [4.17.15, 4.17.19))
const expected = ['CVE-2020-28500', 'CVE-2023-52425', 'CVE-2026-102633', 'CVE-2026-34743', 'NSWG-ECO-516'];
const records: Array<[Parameters<typeof osvDir>[0], string]> = [
  ['debian-changelog', 'DEBCL-CVE-2023-52425'], ['debian-changelog', 'DEBCL-CVE-2026-102633'], ['debian-changelog', 'DEBCL-CVE-2024-45490'],
  ['debian-changelog', 'DEBCL-CVE-2026-34743'], ['debian-changelog', 'DEBCL-CVE-2025-31115'],
  ['ghsa-subset', 'GHSA-29mw-wpgm-hmr9'], ['nodejs-security-wg', 'NSWG-ECO-516'], ['pypa', 'PYSEC-2019-144'],
];

let work: string;
let root: string;
let db: string;
let layoutDir: string;
let imageDigest: string;

before(async () => {
  work = await tempDir('scan-cli');
  root = path.join(work, 'root');
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), content);
  }
  const osvRecords = path.join(work, 'osv');
  mkdirSync(osvRecords);
  for (const [dir, id] of records) copyFileSync(path.join(osvDir(dir), `${id}.json`), path.join(osvRecords, `${id}.json`));
  // The scan commands read the SQLite database that `bosun db import` builds.
  db = path.join(work, 'db');
  await importDatabase([osvRecords], { dir: db });
  const built = await imageFixture([
    [{ path: 'etc/os-release', content: Buffer.from(files['etc/os-release']!) }, { path: 'var/lib/dpkg/status', content: Buffer.from(status) }],
    [{ path: 'app/node_modules/lodash/package.json', content: Buffer.from(files['app/node_modules/lodash/package.json']!) }],
  ]);
  imageDigest = built.digest;
  layoutDir = path.join(work, 'layout');
  await layout.write(layoutDir, built.image, { tag: 'v1' });
});

const ids = (r: ScanReport): string[] => r.results.flatMap((x) => x.findings.filter((f) => !f.suppression).map((f) => f.id)).sort();

test('rootfs: every expected finding, json to stdout, exit 0 without --exit-code', async () => {
  const r = await bosun(['rootfs', root, '--db-dir', db, '--format', 'json'], work);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as ScanReport;
  assert.deepEqual(ids(report), expected);
  assert.deepEqual(report.os, { family: 'debian', version: '12', codename: 'bookworm', prettyName: 'Debian GNU/Linux 12 (bookworm)', eolDate: '2028-06-30' });
});

test('image from an OCI layout: findings carry the layer diffID; --exit-code applies; --output is written', async () => {
  const out = path.join(work, 'report.json');
  const r = await bosun(['image', `oci:${layoutDir}:v1`, '--db-dir', db, '--format', 'json', '--exit-code', '7', '--output', out, '-q'], work);
  assert.equal(r.status, 7, r.stderr);
  assert.equal(r.stdout, '');
  const report = JSON.parse(readFileSync(out, 'utf8')) as ScanReport;
  assert.equal(report.artifact.digest, imageDigest);
  assert.equal(report.artifact.platform, 'linux/amd64');
  assert.deepEqual(ids(report), expected);
  const lodash = report.results.flatMap((x) => x.findings).find((f) => f.package.name === 'lodash')!;
  assert.match(lodash.package.locations[0]?.layer ?? '', /^sha256:[0-9a-f]{64}$/);
});

test('filters decide the exit code: --severity and --pkg-types leave nothing, so 0', async () => {
  const r = await bosun(['rootfs', root, '--db-dir', db, '--format', 'json', '--exit-code', '7', '--severity', 'CRITICAL'], work);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(ids(JSON.parse(r.stdout) as ScanReport), []);
  const os = await bosun(['rootfs', root, '--db-dir', db, '--format', 'json', '--pkg-types', 'library'], work);
  assert.deepEqual(ids(JSON.parse(os.stdout) as ScanReport), ['CVE-2020-28500', 'NSWG-ECO-516']);
});

test('a .bosunignore in the working directory and a VEX for the image suppress findings', async () => {
  const cwd = path.join(work, 'ignoring');
  mkdirSync(cwd);
  writeFileSync(path.join(cwd, '.bosunignore'), 'CVE-2023-52425\nCVE-2026-102633\nCVE-2026-34743\n# lodash is handled by VEX\n');
  const vex = path.join(cwd, 'image.openvex.json');
  writeFileSync(vex, JSON.stringify({
    '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'urn:test', author: 't', timestamp: '2026-11-01T00:00:00Z', version: 1,
    statements: [{ vulnerability: { name: 'CVE-2020-28500', aliases: [] }, products: [{ '@id': imageDigest, subcomponents: [{ '@id': 'pkg:npm/lodash' }] }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' },
      { vulnerability: 'NSWG-ECO-516', products: [`pkg:oci/app@${imageDigest}`], status: 'fixed' }],
  }));
  const r = await bosun(['image', `oci:${layoutDir}:v1`, '--db-dir', db, '--format', 'json', '--exit-code', '7', '--vex', vex, '-q'], cwd);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as ScanReport;
  assert.deepEqual(ids(report), []);
  assert.equal(report.summary.suppressed, expected.length);
});

test('sbom-scan: a CycloneDX SBOM of the same tree gives the same findings', async () => {
  const sbom = await catalog(dirTree(root), { source: { kind: 'directory', name: 'root' } });
  const file = path.join(work, 'sbom.cdx.json');
  writeFileSync(file, JSON.stringify(toCycloneDx(sbom)));
  const r = await bosun(['sbom-scan', file, '--db-dir', db, '--format', 'json'], work);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(ids(JSON.parse(r.stdout) as ScanReport), expected);
});

test('fs prints the table; bad flags and inputs exit 2 with their code', async () => {
  const table = await bosun(['fs', root, '--db-dir', db], work);
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, /Library\s+Vulnerability\s+Severity\s+Status\s+Installed\s+Fixed\s+Title/);
  const badFormat = await bosun(['fs', root, '--db-dir', db, '--format', 'xml'], work);
  assert.equal(badFormat.status, 2);
  assert.match(badFormat.stderr, /REPORT_FORMAT_UNKNOWN/);
  const badIgnore = path.join(work, 'bad.ignore');
  writeFileSync(badIgnore, 'CVE-1 exp:someday\n');
  const r = await bosun(['fs', root, '--db-dir', db, '--ignorefile', badIgnore], work);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /VULN_IGNOREFILE_INVALID/);
});
