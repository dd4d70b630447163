// apk does not run on this Debian machine, so this installed-database fixture is composed by hand
// in the text format apk-tools documents (one `X:value` line per field, blank line between
// packages), using package facts (names, versions, origins, licenses, provides, files) of Alpine
// 3.19's musl, busybox, libcrypto3 and ca-certificates-bundle. Checksums and commits have the real
// shape but are not those of the published packages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { catalog } from '../../src/sbom/catalog.js';
import { apkCataloger, apkLicense, apkPurl, parseApkInstalled } from '../../src/sbom/catalogers/apk.js';
import type { ApkEntry } from '../../src/sbom/catalogers/apk.js';
import { dirTree } from '../helpers/dir-tree.js';
import { writeTree } from '../helpers/sbom-fixture.js';

const installed = `C:Q1iZ9Y9bUxKbEJB8mHgAVJzV8M2nk=
P:musl
V:1.2.4_git20230717-r4
A:x86_64
S:407278
I:667648
T:the musl c library (libc) implementation
U:https://musl.libc.org/
L:MIT
o:musl
m:Timo Teräs <timo.teras@iki.fi>
t:1700489553
c:4b7ddf8a1e3c2d9f7a6b5c4d3e2f1a0b9c8d7e6f
p:so:libc.musl-x86_64.so.1=1
F:lib
R:ld-musl-x86_64.so.1
a:0:0:755
Z:Q1abcdefghijklmnopqrstuvwxyz0=
R:libc.musl-x86_64.so.1

C:Q1Hq0SDqy6T3wP2mQJ0o0N5r4cZ7I=
P:busybox
V:1.36.1-r15
A:x86_64
L:GPL-2.0-only
o:busybox
D:so:libc.musl-x86_64.so.1
p:cmd:busybox=1.36.1-r15
F:bin
R:busybox

P:libcrypto3
V:3.1.4-r5
A:x86_64
L:Apache-2.0
o:openssl
D:so:libc.musl-x86_64.so.1
p:so:libcrypto.so.3=3
F:lib
R:libcrypto.so.3
F:usr/lib/engines-3
R:afalg.so

P:ca-certificates-bundle
V:20240226-r0
A:x86_64
L:MPL-2.0 AND MIT
o:ca-certificates
D:!ca-certificates<20240226
F:etc/ssl/certs
R:ca-certificates.crt
`;

test('apk installed: fields, origin, owned files under F: directories', () => {
  const { entries, errors } = parseApkInstalled(installed);
  assert.deepEqual(errors, []);
  assert.deepEqual(entries.map((e) => [e.name, e.version, e.origin, e.license]), [
    ['musl', '1.2.4_git20230717-r4', 'musl', 'MIT'],
    ['busybox', '1.36.1-r15', 'busybox', 'GPL-2.0-only'],
    ['libcrypto3', '3.1.4-r5', 'openssl', 'Apache-2.0'],
    ['ca-certificates-bundle', '20240226-r0', 'ca-certificates', 'MPL-2.0 AND MIT'],
  ]);
  assert.deepEqual(entries[2]?.files, ['/lib/libcrypto.so.3', '/usr/lib/engines-3/afalg.so']);
  assert.deepEqual(entries[0]?.provides, ['so:libc.musl-x86_64.so.1']);
  assert.deepEqual(entries[3]?.depends, [], 'conflicts (!) are not dependencies');
});

const licenseCases = [
  { raw: 'MPL-2.0 AND MIT', want: 'MPL-2.0 AND MIT' },
  { raw: 'GPL-2.0-or-later', want: 'GPL-2.0-or-later' },
  { raw: 'MIT BSD-2-Clause GPL2+', want: 'MIT AND BSD-2-Clause AND GPL-2.0-or-later' }, // older space-separated form
  { raw: '', want: undefined },
] as const;
for (const c of licenseCases) {
  test(`apk license ${JSON.stringify(c.raw)}`, () => assert.equal(apkLicense(c.raw), c.want));
}

const e = (x: Partial<ApkEntry>): ApkEntry => ({ name: 'libcrypto3', version: '3.1.4-r5', arch: 'x86_64', depends: [], provides: [], files: [], ...x });
const purlCases = [
  { name: 'origin differs', e: e({ origin: 'openssl' }), os: { id: 'alpine', versionId: '3.19.1' }, want: 'pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&distro=alpine-3.19.1&upstream=openssl' },
  { name: 'origin same', e: e({ origin: 'libcrypto3' }), os: { id: 'alpine', versionId: '3.19.1' }, want: 'pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&distro=alpine-3.19.1' },
  { name: 'wolfi namespace', e: e({}), os: { id: 'wolfi', versionId: '20230201' }, want: 'pkg:apk/wolfi/libcrypto3@3.1.4-r5?arch=x86_64&distro=wolfi-20230201' },
] as const;
for (const c of purlCases) {
  test(`apk purl: ${c.name}`, () => assert.equal(apkPurl(c.e, c.os), c.want));
}

test('apk-db: catalog resolves so: dependencies through provides', async () => {
  const tree = dirTree(writeTree({ 'lib/apk/db/installed': installed, 'etc/os-release': 'ID=alpine\nVERSION_ID=3.19.1\n' }));
  const sbom = await catalog(tree, { source: { kind: 'directory', name: 'alpine' }, catalogers: [apkCataloger] });
  const id = (n: string): string | undefined => sbom.packages.find((p) => p.name === n)?.id;
  const deps = sbom.relationships.filter((r) => r.type === 'depends-on').map((r) => `${r.from}>${r.to}`).sort();
  assert.deepEqual(deps, [`${id('busybox')}>${id('musl')}`, `${id('libcrypto3')}>${id('musl')}`].sort());
  assert.deepEqual(sbom.problems, []);
  assert.equal(sbom.packages.find((p) => p.name === 'musl')?.metadata.commit, '4b7ddf8a1e3c2d9f7a6b5c4d3e2f1a0b9c8d7e6f');
});

const hostile = [
  { name: 'record without P:', text: 'V:1.0-r0\nA:x86_64\n\nP:ok\nV:1-r0\n', packages: ['ok'], codes: ['SBOM_FILE_INVALID'] },
  { name: 'not apk lines', text: 'hello world\n', packages: [], codes: ['SBOM_FILE_INVALID'] },
  { name: 'binary', text: Buffer.from([0, 1, 2, 3]), packages: [], codes: ['SBOM_FILE_INVALID'] },
] as const;
for (const h of hostile) {
  test(`apk-db hostile: ${h.name}`, async () => {
    const r = await apkCataloger.catalog(dirTree(writeTree({ 'lib/apk/db/installed': h.text })), {});
    assert.deepEqual(r.packages.map((p) => p.name), h.packages);
    assert.deepEqual(r.problems.map((p) => p.code), h.codes);
  });
}
