import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { catalog, dropOwned } from '../../src/sbom/catalog.js';
import { dpkgCataloger } from '../../src/sbom/catalogers/dpkg.js';
import { runtimeCataloger } from '../../src/sbom/catalogers/runtimes.js';
import type { Package } from '../../src/sbom/model.js';
import { debExtract, debFile } from '../helpers/debian.js';
import { dirTree } from '../helpers/dir-tree.js';
import { writeTree } from '../helpers/sbom-fixture.js';

// Real runtimes: Debian's python3.11-minimal, libssl3 and openjdk-17-jre-headless (unpacked, with
// a dpkg database made from the debs' own control data and file lists), and the node binary running
// this test. Each is placed twice: where its package put it (owned: not reported) and copied
// somewhere dpkg does not know (reported), as the official images install runtimes.
const debs = ['python3.11-minimal', 'libssl3', 'openjdk-17-jre-headless'];
let root = '';
const jvm = 'usr/lib/jvm/java-17-openjdk-amd64';
const libcrypto = 'usr/lib/x86_64-linux-gnu/libcrypto.so.3';

function place(from: string, to: string): void {
  mkdirSync(path.dirname(to), { recursive: true });
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

function dpkgEntry(control: string, files: string[]): { status: string; list: string } {
  return { status: `${control.trim().replace(/^Package: .*$/m, (l) => `${l}\nStatus: install ok installed`)}\n`, list: files.join('\n') + '\n' };
}

before(() => {
  root = mkdtempSync(path.join(tmpdir(), 'bosun-runtimes-'));
  const status: string[] = [];
  mkdirSync(path.join(root, 'var/lib/dpkg/info'), { recursive: true });
  for (const d of debs) {
    // the JRE is 200 MB unpacked and only its release file is read
    if (d.startsWith('openjdk')) execFileSync('sh', ['-c', `dpkg-deb --fsys-tarfile "$0" | tar -x -C "$1" ./${jvm}/release`, debFile(d), root]);
    else debExtract(d, root);
    const control = execFileSync('dpkg-deb', ['-f', debFile(d)], { encoding: 'utf8' });
    const files = execFileSync('dpkg-deb', ['-c', debFile(d)], { encoding: 'utf8' })
      .split('\n').filter(Boolean).map((l) => (l.split(/\s+/).slice(5).join(' ').split(' -> ')[0] ?? '').replace(/^\./, '').replace(/\/$/, '')).filter(Boolean);
    const e = dpkgEntry(control, files);
    status.push(e.status);
    writeFileSync(path.join(root, `var/lib/dpkg/info/${d}.list`), e.list, { flag: 'w' });
  }
  // the node running the tests is not a dpkg package on CI: this entry states that a package owns /usr/bin/node
  status.push(dpkgEntry('Package: nodejs\nVersion: 0-test\nArchitecture: amd64', ['/usr/bin/node']).status);
  writeFileSync(path.join(root, 'var/lib/dpkg/info/nodejs.list'), '/usr/bin/node\n');
  writeFileSync(path.join(root, 'var/lib/dpkg/status'), status.join('\n'));
  place(realpathSync(process.execPath), path.join(root, 'usr/bin/node'));
  place(realpathSync(process.execPath), path.join(root, 'usr/local/bin/node'));
  place(path.join(root, 'usr/bin/python3.11'), path.join(root, 'opt/python/bin/python3.11'));
  place(path.join(root, libcrypto), path.join(root, 'opt/ssl/lib/libcrypto.so.3'));
  mkdirSync(path.join(root, 'opt/java'), { recursive: true });
  copyFileSync(path.join(root, jvm, 'release'), path.join(root, 'opt/java/release'));
});

/** Versions from the runtimes themselves (and the JDK's release file read as shell assignments). */
function truth(): Record<string, string> {
  const python = execFileSync(path.join(root, 'usr/bin/python3.11'), ['--version'], { encoding: 'utf8' }).trim().split(' ')[1] as string;
  const ssl = execFileSync('openssl', ['version'], { encoding: 'utf8', env: { ...process.env, LD_LIBRARY_PATH: path.dirname(path.join(root, libcrypto)) } });
  const java = execFileSync('sh', ['-c', `. "${path.join(root, jvm, 'release')}" && printf %s "$JAVA_VERSION"`], { encoding: 'utf8' });
  return { node: process.version.slice(1), python, openssl: /Library: OpenSSL (\S+)/.exec(ssl)?.[1] ?? '', openjdk: java };
}

test('runtime-binary: runtimes outside dpkg are reported at the versions they report; owned copies are not', async () => {
  const t = truth();
  const sbom = await catalog(dirTree(root), { source: { kind: 'directory', name: root }, catalogers: [dpkgCataloger, runtimeCataloger] });
  const got = sbom.packages.filter((p) => p.type === 'generic').map((p) => [p.purl, p.locations.map((l) => l.path)]);
  assert.deepEqual(got, [
    [`pkg:generic/node@${t.node}`, ['/usr/local/bin/node']],
    [`pkg:generic/openjdk@${t.openjdk}`, ['/opt/java/release']],
    [`pkg:generic/openssl@${t.openssl}`, ['/opt/ssl/lib/libcrypto.so.3']],
    [`pkg:generic/python@${t.python}`, ['/opt/python/bin/python3.11']],
  ]);
  assert.ok(sbom.packages.some((p) => p.name === 'python3.11-minimal'));
  assert.equal(sbom.packages.find((p) => p.name === 'openjdk')?.metadata.sourceName, 'Debian');
  assert.deepEqual(sbom.problems, []);
});

test('runtime-binary: without a package database every copy is reported', async () => {
  const r = await runtimeCataloger.catalog(dirTree(root), {});
  assert.deepEqual(r.packages.map((p) => p.locations[0]?.path).sort(), [
    '/opt/java/release', '/opt/python/bin/python3.11', '/opt/ssl/lib/libcrypto.so.3', `/${jvm}/release`, `/${libcrypto}`, '/usr/bin/node', '/usr/bin/python3.11', '/usr/local/bin/node',
  ].sort());
});

const hostile = [
  { name: 'a node shim script', file: 'usr/local/bin/node', data: '#!/bin/sh\nexec /opt/node/bin/node "$@"\n', codes: [] },
  { name: 'a release file that is not a JDK', file: 'etc/release', data: 'NAME=thing\nVERSION=1\n', codes: [] },
  { name: 'a release file past the size cap', file: 'opt/x/release', data: `JAVA_VERSION="1"\n${'#'.repeat(70_000)}`, codes: [] },
  { name: 'a truncated ELF named python3.11', file: 'usr/local/bin/python3.11', data: Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(53)]), codes: ['SBOM_FILE_INVALID'] },
  { name: 'a version-less libpython', file: 'usr/local/lib/libpython3.12.so.1.0', data: () => readFileSync('/usr/bin/true'), codes: [] },
] as const;
for (const c of hostile) {
  test(`runtime-binary hostile: ${c.name}`, async () => {
    const data = typeof c.data === 'function' ? c.data() : c.data;
    const r = await runtimeCataloger.catalog(dirTree(writeTree({ [c.file]: data })), {});
    assert.deepEqual(r.packages, []);
    assert.deepEqual(r.problems.map((p) => p.code), c.codes);
  });
}

const owner = (files: string[]): Package => ({ id: 'deb1', name: 'libssl3', version: '3', type: 'deb', purl: 'pkg:deb/debian/libssl3@3', licenses: [], locations: [{ path: '/var/lib/dpkg/status' }], foundBy: 'dpkg-db', metadata: { files } });
const found = (p: string, foundBy = 'runtime-binary'): Package => ({ id: p, name: 'openssl', version: '3', type: 'generic', purl: 'pkg:generic/openssl@3', licenses: [], locations: [{ path: p }], foundBy, metadata: {} });
const ownedCases = [
  { name: 'listed path', files: ['/usr/lib/x86_64-linux-gnu/libcrypto.so.3'], at: '/usr/lib/x86_64-linux-gnu/libcrypto.so.3', kept: false },
  { name: 'listed without /usr (merged /usr)', files: ['/lib/x86_64-linux-gnu/libcrypto.so.3'], at: '/usr/lib/x86_64-linux-gnu/libcrypto.so.3', kept: false },
  { name: 'listed with /usr, found without', files: ['/usr/bin/openssl'], at: '/bin/openssl', kept: false },
  { name: 'not listed', files: ['/usr/bin/openssl'], at: '/usr/local/bin/openssl', kept: true },
  { name: 'a cataloger that keeps owned files', files: ['/usr/bin/app'], at: '/usr/bin/app', kept: true, foundBy: 'go-binary' },
] as const;
for (const c of ownedCases) {
  test(`dropOwned: ${c.name}`, () => {
    const pkg = found(c.at, 'foundBy' in c ? c.foundBy : undefined);
    const out = dropOwned([owner([...c.files]), pkg], [runtimeCataloger]);
    assert.equal(out.includes(pkg), c.kept);
    assert.ok(out.some((p) => p.type === 'deb'));
  });
}
