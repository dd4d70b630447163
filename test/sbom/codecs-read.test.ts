import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { before, test } from 'node:test';
import { isBosunError } from '../../src/errors.js';
import { catalog } from '../../src/sbom/catalog.js';
import { readCycloneDx } from '../../src/sbom/codecs/cyclonedx-read.js';
import { toCycloneDx } from '../../src/sbom/codecs/cyclonedx.js';
import { codecFor, readSbom } from '../../src/sbom/codecs/index.js';
import { readSpdx } from '../../src/sbom/codecs/spdx-read.js';
import { toSpdx } from '../../src/sbom/codecs/spdx.js';
import type { Sbom } from '../../src/sbom/model.js';
import { dirTree } from '../helpers/dir-tree.js';
import { syntheticDebianTree } from '../helpers/sbom-fixture.js';

const layer = `sha256:${'ef'.repeat(32)}` as const;
let sbom: Sbom;
before(async () => {
  sbom = await catalog(dirTree(syntheticDebianTree(), { layer }), { source: { kind: 'image', name: 'registry.example/app:1.0', digest: `sha256:${'cd'.repeat(32)}` } });
});

const json = (v: unknown): Readable => Readable.from([Buffer.from(JSON.stringify(v))]);
/** What every codec must carry across a round trip (file lists and raw licenses are not encoded). */
const essentials = (s: Sbom) => ({
  source: s.source,
  os: s.os && { id: s.os.id, versionId: s.os.versionId },
  packages: s.packages.map((p) => ({ id: p.id, name: p.name, version: p.version, type: p.type, purl: p.purl, licenses: p.licenses, locations: p.locations, foundBy: p.foundBy })),
  relationships: s.relationships,
});

test('spdx: bosun → SPDX → bosun keeps packages, locations with layers, and relationships', async () => {
  const back = await readSpdx(json(toSpdx(sbom)));
  assert.deepEqual(essentials(back), essentials(sbom));
  assert.deepEqual(back.problems, []);
});

test('cyclonedx: bosun → CycloneDX → bosun keeps the same, plus source/arch/dev metadata', async () => {
  const back = await readCycloneDx(json(toCycloneDx(sbom)));
  assert.deepEqual(essentials(back), essentials(sbom));
  const bz = back.packages.find((p) => p.name === 'libbz2-1.0');
  assert.deepEqual(bz?.metadata, { sourceName: 'bzip2', sourceVersion: '1.0.8-5', arch: 'amd64' });
  assert.equal(back.packages.find((p) => p.name === '@babel/code-frame')?.metadata.isDev, true);
});

// Composed by hand in the shape Syft's spdx-json output takes (DocumentRoot package, purl
// externalRefs, DEPENDENCY_OF edges, no OS package); not produced by Syft here (it does not run).
const syftLikeSpdx22 = {
  spdxVersion: 'SPDX-2.2',
  dataLicense: 'CC0-1.0',
  SPDXID: 'SPDXRef-DOCUMENT',
  name: 'debian:12',
  documentNamespace: 'https://anchore.com/syft/image/debian-12-0b7f',
  creationInfo: { created: '2024-01-01T00:00:00Z', creators: ['Tool: syft-0.99.0'] },
  packages: [
    { name: 'debian', SPDXID: 'SPDXRef-DocumentRoot-Image-debian', versionInfo: `sha256:${'aa'.repeat(32)}`, downloadLocation: 'NOASSERTION', primaryPackagePurpose: 'CONTAINER' },
    { name: 'zlib1g', SPDXID: 'SPDXRef-Package-deb-zlib1g-1b2c', versionInfo: '1:1.2.13.dfsg-1', downloadLocation: 'NOASSERTION', licenseConcluded: 'NOASSERTION', licenseDeclared: 'Zlib', sourceInfo: 'acquired package info from DPKG DB: /var/lib/dpkg/status', externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&upstream=zlib&distro=debian-12' }, { referenceCategory: 'SECURITY', referenceType: 'cpe23Type', referenceLocator: 'cpe:2.3:a:zlib1g:zlib1g:1\\:1.2.13.dfsg-1:*:*:*:*:*:*:*' }] },
    { name: 'libselinux1', SPDXID: 'SPDXRef-Package-deb-libselinux1-9f3e', versionInfo: '3.4-1+b6', downloadLocation: 'NOASSERTION', licenseDeclared: 'NOASSERTION', externalRefs: [{ referenceCategory: 'PACKAGE_MANAGER', referenceType: 'purl', referenceLocator: 'pkg:deb/debian/libselinux1@3.4-1+b6?arch=amd64&distro=debian-12' }] },
    { name: 'weird', SPDXID: 'SPDXRef-Package-x', downloadLocation: 'NOASSERTION', externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: 'not a purl' }] },
    { name: 'no-purl-file', SPDXID: 'SPDXRef-Package-y', downloadLocation: 'NOASSERTION' },
  ],
  relationships: [
    { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: 'SPDXRef-DocumentRoot-Image-debian' },
    { spdxElementId: 'SPDXRef-DocumentRoot-Image-debian', relationshipType: 'CONTAINS', relatedSpdxElement: 'SPDXRef-Package-deb-zlib1g-1b2c' },
    { spdxElementId: 'SPDXRef-Package-deb-zlib1g-1b2c', relationshipType: 'DEPENDENCY_OF', relatedSpdxElement: 'SPDXRef-Package-deb-libselinux1-9f3e' },
  ],
};

test('spdx: reads a Syft-style SPDX 2.2 document (OS from purl distro, DEPENDENCY_OF inverted, bad purl a problem)', async () => {
  const s = await readSpdx(json(syftLikeSpdx22));
  assert.deepEqual(s.source, { kind: 'image', name: 'debian', digest: `sha256:${'aa'.repeat(32)}` });
  assert.deepEqual(s.os, { id: 'debian', versionId: '12' });
  assert.deepEqual(s.packages.map((p) => [p.name, p.version, p.licenses, p.foundBy, p.locations]), [
    ['libselinux1', '3.4-1+b6', [], 'spdx-json', []],
    ['zlib1g', '1:1.2.13.dfsg-1', ['Zlib'], 'DPKG DB', [{ path: '/var/lib/dpkg/status' }]],
  ]);
  const id = (n: string) => s.packages.find((p) => p.name === n)?.id;
  assert.deepEqual(s.relationships.filter((r) => r.type === 'depends-on'), [{ from: id('libselinux1'), to: id('zlib1g'), type: 'depends-on' }]);
  assert.deepEqual(s.problems.map((p) => [p.path, p.code]), [['SPDXRef-Package-x', 'SBOM_DOCUMENT_INVALID']]);
});

// Composed by hand in the shape Trivy's CycloneDX output takes (1.5, operating-system component,
// nested components, bom-refs that are purls, dependencies by ref).
const trivyLikeCdx15 = {
  bomFormat: 'CycloneDX',
  specVersion: '1.5',
  version: 1,
  metadata: { component: { 'bom-ref': 'img', type: 'container', name: 'alpine:3.19' } },
  components: [
    { 'bom-ref': 'os', type: 'operating-system', name: 'alpine', version: '3.19.1' },
    { 'bom-ref': 'pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=3.19.1', type: 'library', name: 'musl', version: '1.2.4_git20230717-r4', purl: 'pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=3.19.1', licenses: [{ license: { id: 'MIT' } }] },
    { 'bom-ref': 'app', type: 'application', name: 'app/package-lock.json', components: [
      { 'bom-ref': 'pkg:npm/%40babel/code-frame@7.26.2', type: 'library', group: '@babel', name: 'code-frame', version: '7.26.2', purl: 'pkg:npm/%40babel/code-frame@7.26.2', licenses: [{ license: { name: 'MIT License' } }] },
      { 'bom-ref': 'pkg:npm/ms@2.1.3', type: 'library', name: 'ms', version: '2.1.3', purl: 'pkg:npm/ms@2.1.3', licenses: [{ expression: 'MIT OR Apache-2.0' }] },
    ] },
  ],
  dependencies: [{ ref: 'pkg:npm/%40babel/code-frame@7.26.2', dependsOn: ['pkg:npm/ms@2.1.3', 'missing'] }],
};

test('cyclonedx: reads a Trivy-style 1.5 BOM (nested components, OS component, license forms)', async () => {
  const s = await readCycloneDx(json(trivyLikeCdx15));
  assert.deepEqual(s.os, { id: 'alpine', versionId: '3.19.1' });
  assert.deepEqual(s.source, { kind: 'image', name: 'alpine:3.19' });
  assert.deepEqual(s.packages.map((p) => [p.type, p.name, p.licenses]), [
    ['apk', 'musl', ['MIT']],
    ['npm', '@babel/code-frame', ['MIT']],
    ['npm', 'ms', ['MIT OR Apache-2.0']],
  ]);
  const id = (n: string) => s.packages.find((p) => p.name === n)?.id;
  assert.deepEqual(s.relationships.filter((r) => r.type === 'depends-on'), [{ from: id('@babel/code-frame'), to: id('ms'), type: 'depends-on' }]);
});

const rejects = [
  { name: 'not JSON', body: Buffer.from('{"spdxVersion": '), code: 'SBOM_DOCUMENT_INVALID' },
  { name: 'SPDX 3.0 marker', body: Buffer.from(JSON.stringify({ spdxVersion: 'SPDX-3.0', name: 'x' })), code: 'SBOM_DOCUMENT_INVALID' },
  { name: 'CycloneDX 1.3', body: Buffer.from(JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.3' })), code: 'SBOM_DOCUMENT_INVALID' },
  { name: 'neither format', body: Buffer.from('{"hello": 1}'), code: 'SBOM_DOCUMENT_INVALID' },
  { name: 'binary', body: Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]), code: 'SBOM_DOCUMENT_INVALID' },
  {
    name: 'component nesting bomb',
    body: Buffer.from(`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[${'{"type":"library","name":"x","components":['.repeat(40)}${']}'.repeat(40)}]}`),
    code: 'LIMIT_EXCEEDED',
  },
] as const;
for (const r of rejects) {
  test(`readSbom rejects ${r.name} with ${r.code}`, async () => {
    await assert.rejects(readSbom(Readable.from([r.body])), (e) => isBosunError(e, r.code));
  });
}

test('readSbom tells SPDX from CycloneDX', async () => {
  const a = await readSbom(json(toSpdx(sbom)));
  const b = await readSbom(json(toCycloneDx(sbom)));
  assert.deepEqual(essentials(a), essentials(b));
});

test('codecFor: short and full names; unknown is SBOM_FORMAT_UNKNOWN', () => {
  assert.equal(codecFor('spdx-json').format, 'spdx-json@2.3');
  assert.equal(codecFor('cyclonedx-json@1.6').format, 'cyclonedx-json@1.6');
  assert.throws(() => codecFor('syft-json'), (e) => isBosunError(e, 'SBOM_FORMAT_UNKNOWN'));
});
