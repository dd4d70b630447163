import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, truncateSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { isBosunError } from '../../src/errors.js';
import { parseDeb822, parseDependsField } from '../../src/sbom/catalogers/deb822.js';
import { parseDebianCopyright } from '../../src/sbom/catalogers/dpkg-copyright.js';
import { debPurl, dpkgCataloger, parseDpkgParagraph } from '../../src/sbom/catalogers/dpkg.js';
import type { DpkgEntry } from '../../src/sbom/catalogers/dpkg.js';
import { ensureRootfs } from '../fixtures/sbom/build.js';
import { dirTree } from '../helpers/dir-tree.js';
import { bzip2Copyright, dpkgStatus, writeTree, zlibCopyright } from '../helpers/sbom-fixture.js';

test('deb822: continuation lines, comments and blank-line paragraphs', () => {
  const ps = parseDeb822('# comment\nPackage: a\nDescription: short\n long\n .\n\n\nPackage: b\n');
  assert.deepEqual(ps.map((p) => Object.fromEntries(p)), [{ package: 'a', description: 'short\nlong\n.' }, { package: 'b' }]);
});

test('deb822: a line that is neither field nor continuation throws SBOM_FILE_INVALID', () => {
  assert.throws(() => parseDeb822('Package: a\nthis is not deb822\n'), (e) => isBosunError(e, 'SBOM_FILE_INVALID'));
});

const dependsCases = [
  { v: 'libc6 (>= 2.34), libpcre2-8-0 (>= 10.22) | zlib1g', want: [['libc6'], ['libpcre2-8-0', 'zlib1g']] },
  { v: 'python3:any, foo [amd64]', want: [['python3'], ['foo']] },
  { v: '', want: [] },
] as const;
for (const c of dependsCases) {
  test(`Depends ${JSON.stringify(c.v)}`, () => assert.deepEqual(parseDependsField(c.v), c.want));
}

const paragraphCases = [
  { name: 'installed with Source and version', text: 'Package: libbz2-1.0\nStatus: install ok installed\nSource: bzip2 (1.0.8-5)\nVersion: 1.0.8-5+b1\nArchitecture: amd64\n', want: { name: 'libbz2-1.0', version: '1.0.8-5+b1', arch: 'amd64', sourceName: 'bzip2', sourceVersion: '1.0.8-5' } },
  { name: 'Source without version', text: 'Package: zlib1g\nStatus: install ok installed\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\n', want: { name: 'zlib1g', version: '1:1.2.13.dfsg-1', sourceName: 'zlib', sourceVersion: '1:1.2.13.dfsg-1' } },
  { name: 'no Source: the binary is the source', text: 'Package: hello\nStatus: install ok installed\nVersion: 2.10-3\n', want: { name: 'hello', version: '2.10-3', sourceName: 'hello', sourceVersion: '2.10-3' } },
  { name: 'held (installed, upgrades held back)', text: 'Package: x\nStatus: hold ok installed\nVersion: 1\n', want: { name: 'x', version: '1', sourceName: 'x', sourceVersion: '1' } },
  { name: 'config-files only', text: 'Package: x\nStatus: deinstall ok config-files\nVersion: 1\n', want: undefined },
  { name: 'unpacked, not configured', text: 'Package: x\nStatus: install ok unpacked\nVersion: 1\n', want: undefined },
  { name: 'half-installed', text: 'Package: x\nStatus: install reinstreq half-installed\nVersion: 1\n', want: undefined },
] as const;
for (const c of paragraphCases) {
  test(`dpkg paragraph: ${c.name}`, () => {
    const e = parseDpkgParagraph(parseDeb822(c.text)[0] as Map<string, string>, true);
    assert.deepEqual(e && { name: e.name, version: e.version, ...(e.arch ? { arch: e.arch } : {}), sourceName: e.sourceName, sourceVersion: e.sourceVersion }, c.want);
  });
}

test('dpkg paragraph: status.d files may omit Status (distroless); the main db may not', () => {
  const p = parseDeb822('Package: base-files\nVersion: 12.4\n')[0] as Map<string, string>;
  assert.equal(parseDpkgParagraph(p, true), undefined);
  assert.equal(parseDpkgParagraph(p, false)?.name, 'base-files');
});

const entry = (e: Partial<DpkgEntry>): DpkgEntry => ({ name: 'zlib1g', version: '1:1.2.13.dfsg-1', arch: 'amd64', sourceName: 'zlib1g', sourceVersion: '1:1.2.13.dfsg-1', depends: [], provides: [], ...e });
const purlCases = [
  { name: 'source name differs', e: entry({ sourceName: 'zlib' }), os: { id: 'debian', versionId: '12' }, want: 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12&upstream=zlib' },
  { name: 'binNMU: source version differs', e: entry({ name: 'libbz2-1.0', version: '1.0.8-5+b1', sourceName: 'bzip2', sourceVersion: '1.0.8-5' }), os: { id: 'debian', versionId: '12' }, want: 'pkg:deb/debian/libbz2-1.0@1.0.8-5+b1?arch=amd64&distro=debian-12&upstream=bzip2%401.0.8-5' },
  { name: 'ubuntu namespace', e: entry({}), os: { id: 'ubuntu', versionId: '22.04' }, want: 'pkg:deb/ubuntu/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=ubuntu-22.04' },
  { name: 'no os-release', e: entry({}), os: undefined, want: 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64' },
] as const;
for (const c of purlCases) {
  test(`deb purl: ${c.name}`, () => assert.equal(debPurl(c.e, c.os), c.want));
}

const copyrightCases = [
  { name: 'DEP-5 single', text: zlibCopyright, want: ['Zlib'] },
  { name: 'DEP-5 with custom name', text: bzip2Copyright, want: ['GPL-2.0-or-later', 'LicenseRef-BSD-variant'] },
  { name: 'free text is not read', text: 'This is hello, written by GNU.\nLicense: GPL-3+\n', want: [] },
] as const;
for (const c of copyrightCases) {
  test(`debian copyright: ${c.name}`, () => assert.deepEqual(parseDebianCopyright(c.text), c.want));
}

test('dpkg-db: located problems for a bad paragraph; the other packages are still found', async () => {
  const tree = dirTree(writeTree({ 'var/lib/dpkg/status': `${dpkgStatus}\nPackage: broken\nStatus: install ok installed\n` }));
  const r = await dpkgCataloger.catalog(tree, {});
  assert.deepEqual(r.packages.map((p) => p.name), ['libbz2-1.0', 'libselinux1', 'zlib1g']);
  assert.deepEqual(r.problems.map((p) => [p.path, p.code]), [['/var/lib/dpkg/status', 'SBOM_FILE_INVALID']]);
});

const hostile = [
  { name: 'binary garbage', content: Buffer.from([0x1f, 0x8b, 0x08, 0, 0xde, 0xad, 0xbe, 0xef]), code: 'SBOM_FILE_INVALID' },
  { name: 'prose', content: 'Once upon a time\nthere was no database\n', code: 'SBOM_FILE_INVALID' },
] as const;
for (const h of hostile) {
  test(`dpkg-db: ${h.name} as the status file is a problem, never a throw`, async () => {
    const tree = dirTree(writeTree({ 'var/lib/dpkg/status': h.content }));
    const r = await dpkgCataloger.catalog(tree, {});
    assert.deepEqual(r.packages, []);
    assert.deepEqual(r.problems.map((p) => p.code), [h.code]);
  });
}

test('dpkg-db: a status file past the size cap is LIMIT_EXCEEDED without being read', async () => {
  const root = writeTree({ 'var/lib/dpkg/status': '' });
  truncateSync(path.join(root, 'var/lib/dpkg/status'), 65 * 1024 * 1024); // sparse: no disk or memory used
  const r = await dpkgCataloger.catalog(dirTree(root), {});
  assert.deepEqual(r.problems.map((p) => p.code), ['LIMIT_EXCEEDED']);
});

test('dpkg-db: distroless status.d (one file per package, .md5sums beside) matches dpkg-query', async () => {
  const real = ensureRootfs();
  const admin = path.join(real, 'var/lib/dpkg');
  const files: Record<string, string> = { 'usr/lib/os-release': readFileSync(path.join(real, 'usr/lib/os-release'), 'utf8') };
  const installed = execFileSync('dpkg-query', [`--admindir=${admin}`, '-W', '-f', '${db:Status-Abbrev}|${Package}|${Version}\n'], { encoding: 'utf8' })
    .split('\n').filter((l) => /^[ih]i /.test(l)).map((l) => l.split('|').slice(1).join('@')).sort();
  parseDeb822(readFileSync(path.join(admin, 'status'), 'utf8')).forEach((p, i) => {
    if (p.get('status') !== 'install ok installed') return;
    // distroless drops Status from some entries; keep it on every other one to cover both forms
    const text = [...p].filter(([k]) => i % 2 === 0 || k !== 'status').map(([k, v]) => `${k}: ${v.replace(/\n/g, '\n ')}`).join('\n');
    files[`var/lib/dpkg/status.d/${p.get('package')}`] = `${text}\n`;
    files[`var/lib/dpkg/status.d/${p.get('package')}.md5sums`] = 'd41d8cd98f00b204e9800998ecf8427e  usr/share/doc/x\n';
  });
  const tree = dirTree(writeTree(files));
  const r = await dpkgCataloger.catalog(tree, { os: { id: 'debian', versionId: '12' } });
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.packages.map((p) => `${p.name}@${p.version}`).sort(), installed);
  assert.ok(r.packages.every((p) => p.locations[0]?.path === `/var/lib/dpkg/status.d/${p.name}`));
});
