import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { catalog } from '../../src/sbom/catalog.js';
import { cycloneDxJson, toCycloneDx } from '../../src/sbom/codecs/cyclonedx.js';
import { spdxJson, toSpdx } from '../../src/sbom/codecs/spdx.js';
import type { Sbom } from '../../src/sbom/model.js';
import { dirTree } from '../helpers/dir-tree.js';
import { syntheticDebianTree } from '../helpers/sbom-fixture.js';
import { cycloneDxValidator, spdxValidator } from '../helpers/sbom-schemas.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const created = new Date('2024-01-02T03:04:05.678Z');
const layer = `sha256:${'ab'.repeat(32)}` as const;
let sbom: Sbom;

before(async () => {
  sbom = await catalog(dirTree(syntheticDebianTree(), { layer }), {
    source: { kind: 'image', name: 'registry.example/app:1.0', digest: `sha256:${'cd'.repeat(32)}` },
  });
});

type Json = Record<string, unknown>;

/** Replaces the values that legitimately change between runs (STYLE.md §5: goldens). */
function redact(doc: Json): Json {
  return JSON.parse(
    JSON.stringify(doc)
      .replace(/"(created|timestamp)":"[^"]*"/g, '"$1":"REDACTED"')
      .replace(/urn:uuid:[0-9a-f-]{36}/g, 'urn:uuid:REDACTED')
      .replace(/bosun-\d+\.\d+\.\d+[^"]*/g, 'bosun-REDACTED')
      .replace(/"name":"bosun","version":"[^"]*"/g, '"name":"bosun","version":"REDACTED"'),
  ) as Json;
}

function golden(name: string, doc: Json): void {
  const file = path.join(here, `${name}.golden.json`);
  const actual = redact(doc);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
  }
  assert.deepEqual(actual, JSON.parse(readFileSync(file, 'utf8')));
}

const cases = [
  { name: 'spdx', encode: (s: Sbom) => toSpdx(s, { created }), validate: spdxValidator() },
  { name: 'cyclonedx', encode: (s: Sbom) => toCycloneDx(s, { created }), validate: cycloneDxValidator() },
];

for (const c of cases) {
  test(`${c.name}: validates against the official schema and matches its golden file`, () => {
    const doc = c.encode(sbom);
    assert.deepEqual(c.validate(doc), []);
    golden(`${c.name}`, doc);
  });

  test(`${c.name}: schema validation rejects a broken document (the validator is live)`, () => {
    const doc = c.encode(sbom);
    delete (doc as Json)[c.name === 'spdx' ? 'SPDXID' : 'bomFormat'];
    assert.notDeepEqual(c.validate(doc), []);
  });

  test(`${c.name}: two runs over the same tree give byte-identical output`, async () => {
    const again = await catalog(dirTree(syntheticDebianTree(), { layer }), { source: sbom.source });
    assert.equal(JSON.stringify(c.encode(again)), JSON.stringify(c.encode(sbom)));
  });
}

test('SOURCE_DATE_EPOCH sets the creation time when no date is given', () => {
  const saved = process.env.SOURCE_DATE_EPOCH;
  process.env.SOURCE_DATE_EPOCH = '1700000000';
  try {
    assert.equal((toSpdx(sbom).creationInfo as Json).created, '2023-11-14T22:13:20Z');
    assert.equal((toCycloneDx(sbom).metadata as Json).timestamp, '2023-11-14T22:13:20Z');
  } finally {
    if (saved === undefined) delete process.env.SOURCE_DATE_EPOCH;
    else process.env.SOURCE_DATE_EPOCH = saved;
  }
});

test('spdx: ids and dates follow the SPDX 2.3 text (patterns the 2.3 schema leaves out)', () => {
  const doc = toSpdx(sbom, { created });
  assert.match((doc.creationInfo as Json).created as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  for (const p of doc.packages as Json[]) assert.match(p.SPDXID as string, /^SPDXRef-[a-zA-Z0-9.-]+$/);
  const ids = new Set((doc.packages as Json[]).map((p) => p.SPDXID));
  for (const r of doc.relationships as Json[]) {
    assert.ok(r.spdxElementId === 'SPDXRef-DOCUMENT' || ids.has(r.spdxElementId), `dangling ${String(r.spdxElementId)}`);
    assert.ok(ids.has(r.relatedSpdxElement), `dangling ${String(r.relatedSpdxElement)}`);
  }
  // every LicenseRef used is defined
  const used = JSON.stringify(doc.packages).match(/LicenseRef-[A-Za-z0-9.-]+/g) ?? [];
  const defined = ((doc.hasExtractedLicensingInfos as Json[] | undefined) ?? []).map((x) => x.licenseId);
  assert.deepEqual([...new Set(used)].sort(), defined);
});

test('spdx: DESCRIBES the root, which CONTAINS every package; DEPENDS_ON follows the first installed alternative', () => {
  const doc = toSpdx(sbom, { created });
  const rels = doc.relationships as Json[];
  const pkgs = doc.packages as Json[];
  const id = (name: string): unknown => pkgs.find((p) => p.name === name)?.SPDXID;
  const root = pkgs[0]?.SPDXID;
  assert.ok(rels.some((r) => r.spdxElementId === 'SPDXRef-DOCUMENT' && r.relationshipType === 'DESCRIBES' && r.relatedSpdxElement === root));
  assert.equal(rels.filter((r) => r.spdxElementId === root && r.relationshipType === 'CONTAINS').length, sbom.packages.length + 1);
  // libselinux1 depends on "libpcre2-8-0 | zlib1g": only zlib1g is installed
  assert.ok(rels.some((r) => r.spdxElementId === id('libselinux1') && r.relationshipType === 'DEPENDS_ON' && r.relatedSpdxElement === id('zlib1g')));
});

test('cyclonedx: scoped npm names split into group/name, listed licenses by id, layers as properties', () => {
  const doc = toCycloneDx(sbom, { created });
  const comps = doc.components as Json[];
  const babel = comps.find((c) => c.name === 'code-frame');
  assert.equal(babel?.group, '@babel');
  assert.equal(babel?.purl, 'pkg:npm/%40babel/code-frame@7.26.2');
  assert.deepEqual(comps.find((c) => c.name === 'zlib1g')?.licenses, [{ license: { id: 'Zlib' } }]);
  const props = (comps.find((c) => c.name === 'zlib1g')?.properties as Json[]).map((p) => `${String(p.name)}=${String(p.value)}`);
  assert.ok(props.includes(`bosun:location:0:layer=${layer}`));
  assert.equal(comps[0]?.type, 'operating-system');
});

for (const w of [spdxJson, cycloneDxJson]) {
  test(`${w.format}: write() streams exactly what encode() returns`, async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await w.write(sbom, out, { created });
    assert.deepEqual(JSON.parse(Buffer.concat(chunks).toString('utf8')), w.encode(sbom, { created }));
  });
}

test('cyclonedx: every scalar metadata field survives a write and a read; malformed values are dropped', async () => {
  const { readCycloneDx } = await import('../../src/sbom/codecs/cyclonedx-read.js');
  const metadata = {
    sourceName: 'openssl', sourceVersion: '1.0.2k-12.el7', arch: 'x86_64', epoch: 1, commit: 'abc123', isDev: false, isIndirect: true,
    virtualPath: '/app.war!/WEB-INF/lib/x.jar', rawLicense: 'OpenSSL', vendor: 'CentOS', modularityLabel: 'nodejs:18:8070020230306:ad008a3a', installedSize: 3147264,
  };
  const pkg = { id: 'p1', name: 'openssl-libs', version: '1:1.0.2k-12.el7', type: 'rpm' as const, purl: 'pkg:rpm/centos/openssl-libs@1.0.2k-12.el7?arch=x86_64&epoch=1', licenses: ['OpenSSL'], locations: [{ path: '/var/lib/rpm/Packages' }], foundBy: 'rpm-db', metadata };
  const sbom: Sbom = { source: { kind: 'directory', name: 'x' }, packages: [pkg], relationships: [], problems: [] };
  const doc = toCycloneDx(sbom) as { components: Array<{ properties: Array<{ name: string; value: string }> }> };
  const read = await readCycloneDx(Readable.from([JSON.stringify(doc)]));
  assert.deepEqual(read.packages[0]?.metadata, metadata);
  // Wrong types for typed fields are ignored rather than stored as strings.
  for (const p of doc.components[0]!.properties) {
    if (p.name === 'bosun:package:epoch') p.value = 'one';
    if (p.name === 'bosun:package:isIndirect') p.value = 'yes';
  }
  const bad = await readCycloneDx(Readable.from([JSON.stringify(doc)]));
  assert.equal(bad.packages[0]?.metadata.epoch, undefined);
  assert.equal(bad.packages[0]?.metadata.isIndirect, undefined);
});
