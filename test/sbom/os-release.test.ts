import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findOsRelease, parseOsRelease, parseRedhatRelease } from '../../src/sbom/catalogers/os-release.js';
import { dirTree } from '../helpers/dir-tree.js';
import { debianOsRelease, writeTree } from '../helpers/sbom-fixture.js';

const parseCases = [
  { name: 'debian 12', text: debianOsRelease, want: { id: 'debian', versionId: '12', versionCodename: 'bookworm', prettyName: 'Debian GNU/Linux 12 (bookworm)' } },
  { name: 'alpine unquoted', text: 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME="Alpine Linux v3.19"\n', want: { id: 'alpine', versionId: '3.19.1', prettyName: 'Alpine Linux v3.19' } },
  { name: 'ubuntu id_like', text: 'ID=ubuntu\nID_LIKE=debian\nVERSION_ID="22.04"\nVERSION_CODENAME=jammy\n', want: { id: 'ubuntu', versionId: '22.04', versionCodename: 'jammy', idLike: ['debian'] } },
  { name: 'single quotes and escapes', text: "ID='rhel'\nPRETTY_NAME=\"Say \\\"hi\\\"\"\n", want: { id: 'rhel', prettyName: 'Say "hi"' } },
  { name: 'comments and CRLF', text: '# c\r\nID=Fedora\r\nVERSION_ID=39\r\n', want: { id: 'fedora', versionId: '39' } },
  { name: 'no ID', text: 'NAME=Linux\n', want: undefined },
  { name: 'garbage', text: '\u0001\u0002 not = a file', want: undefined },
] as const;

for (const c of parseCases) {
  test(`os-release: ${c.name}`, () => assert.deepEqual(parseOsRelease(c.text), c.want));
}

const redhatCases = [
  { text: 'Red Hat Enterprise Linux release 8.9 (Ootpa)\n', want: { id: 'rhel', versionId: '8.9', versionCodename: 'ootpa', prettyName: 'Red Hat Enterprise Linux release 8.9 (Ootpa)' } },
  { text: 'CentOS Linux release 7.9.2009 (Core)', want: { id: 'centos', versionId: '7.9.2009', versionCodename: 'core', prettyName: 'CentOS Linux release 7.9.2009 (Core)' } },
  { text: 'Fedora release 39', want: { id: 'fedora', versionId: '39', prettyName: 'Fedora release 39' } },
  { text: 'nothing here', want: undefined },
] as const;

for (const c of redhatCases) {
  test(`redhat-release: ${JSON.stringify(c.text)}`, () => assert.deepEqual(parseRedhatRelease(c.text), c.want));
}

const findCases = [
  { name: '/etc wins over /usr/lib', files: { 'etc/os-release': 'ID=debian\nVERSION_ID=12\n', 'usr/lib/os-release': 'ID=ubuntu\n' }, want: { id: 'debian', versionId: '12' } },
  { name: '/usr/lib alone (distroless)', files: { 'usr/lib/os-release': 'ID=debian\nVERSION_ID=12\n' }, want: { id: 'debian', versionId: '12' } },
  { name: 'alpine-release fallback', files: { 'etc/alpine-release': '3.19.1\n' }, want: { id: 'alpine', versionId: '3.19.1' } },
  { name: 'debian_version fallback', files: { 'etc/debian_version': '12.4\n' }, want: { id: 'debian', versionId: '12.4' } },
  { name: 'redhat-release fallback', files: { 'etc/redhat-release': 'Fedora release 39\n' }, want: { id: 'fedora', versionId: '39', prettyName: 'Fedora release 39' } },
  { name: 'nothing', files: { 'etc/hostname': 'x\n' }, want: undefined },
] as const;

for (const c of findCases) {
  test(`findOsRelease: ${c.name}`, async () => {
    const r = await findOsRelease(dirTree(writeTree(c.files)));
    assert.deepEqual(r.os, c.want);
    assert.deepEqual(r.problems, []);
  });
}

test('findOsRelease: a binary /etc/os-release is a located problem and the next file is used', async () => {
  const r = await findOsRelease(dirTree(writeTree({ 'etc/os-release': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]), 'usr/lib/os-release': 'ID=debian\n' })));
  assert.deepEqual(r.os, { id: 'debian' });
  assert.deepEqual(r.problems.map((p) => [p.path, p.code]), [['/etc/os-release', 'SBOM_FILE_INVALID']]);
});
