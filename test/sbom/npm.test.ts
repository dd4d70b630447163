import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isBosunError } from '../../src/errors.js';
import { catalog } from '../../src/sbom/catalog.js';
import { npmInstalledCataloger, isInstalledManifestPath } from '../../src/sbom/catalogers/npm.js';
import { isNpmName, npmLicense, npmPurl, resolveCandidates } from '../../src/sbom/catalogers/npm-common.js';
import { npmLockCataloger, parsePackageLock } from '../../src/sbom/catalogers/npm-lock.js';
import { dirTree } from '../helpers/dir-tree.js';
import { syntheticDebianTree, writeTree } from '../helpers/sbom-fixture.js';

const pathCases = [
  { p: '/app/node_modules/ms/package.json', want: true },
  { p: '/app/node_modules/@babel/code-frame/package.json', want: true },
  { p: '/app/node_modules/a/node_modules/b/package.json', want: true },
  { p: '/app/node_modules/ms/test/fixtures/package.json', want: false }, // a fixture inside a package
  { p: '/app/node_modules/ms/esm/package.json', want: false }, // a "type": "module" marker
  { p: '/app/node_modules/@scope/package.json', want: false }, // a scope dir is not a package
  { p: '/app/package.json', want: false }, // the project itself
  { p: '/app/node_modules/.package-lock.json', want: false },
] as const;
for (const c of pathCases) {
  test(`installed manifest path ${c.p}`, () => assert.equal(isInstalledManifestPath(c.p), c.want));
}

const licenseCases = [
  { m: { license: 'MIT' }, want: 'MIT' },
  { m: { license: '(MIT OR Apache-2.0)' }, want: '(MIT OR Apache-2.0)' },
  { m: { license: { type: 'ISC', url: 'x' } }, want: 'ISC' }, // legacy object
  { m: { licenses: [{ type: 'MIT' }, { type: 'Apache-2.0' }] }, want: 'MIT OR Apache-2.0' }, // legacy array
  { m: { license: ['BSD-3-Clause'] }, want: 'BSD-3-Clause' },
  { m: { license: 'SEE LICENSE IN LICENSE' }, want: 'LicenseRef-SEE-LICENSE-IN-LICENSE' },
  { m: {}, want: undefined },
] as const;
for (const c of licenseCases) {
  test(`npm license ${JSON.stringify(c.m)}`, () => assert.equal(npmLicense(c.m), c.want));
}

const purlCases = [
  { n: 'ms', v: '2.1.3', want: 'pkg:npm/ms@2.1.3' },
  { n: '@babel/code-frame', v: '7.26.2', want: 'pkg:npm/%40babel/code-frame@7.26.2' },
  { n: 'left-pad', v: '1.0.0-beta+build', want: 'pkg:npm/left-pad@1.0.0-beta+build' }, // packageurl-js leaves + unescaped,
] as const;
for (const c of purlCases) {
  test(`npm purl ${c.n}@${c.v}`, () => assert.equal(npmPurl(c.n, c.v), c.want));
}

test('npm names reject path tricks', () => {
  assert.deepEqual(['ms', '@a/b', '../etc', '@a/../b', '', 'a b', 42].map(isNpmName), [true, true, false, false, false, false, false]);
});

test("node resolution walks up ancestors' node_modules", () => {
  assert.deepEqual(resolveCandidates('/app/node_modules/a/node_modules/b', 'c'), [
    '/app/node_modules/a/node_modules/b/node_modules/c',
    '/app/node_modules/a/node_modules/c',
    '/app/node_modules/c',
    '/node_modules/c',
  ]);
});

const v1 = {
  lockfileVersion: 1,
  dependencies: {
    debug: { version: '2.6.9', requires: { ms: '2.0.0' }, dependencies: { ms: { version: '2.0.0' } } },
    ms: { version: '2.1.3', dev: true },
    local: { version: 'file:../local' },
  },
};
const v2 = {
  lockfileVersion: 2,
  packages: {
    '': { name: 'p' },
    'node_modules/debug': { version: '2.6.9', dependencies: { ms: '2.0.0' } },
    'node_modules/debug/node_modules/ms': { version: '2.0.0' },
    'node_modules/ms': { version: '2.1.3', dev: true },
    'node_modules/alias': { name: 'ms', version: '2.1.2' },
    'node_modules/ws-pkg': { resolved: 'packages/ws-pkg', link: true },
  },
  dependencies: { ignored: { version: '9.9.9' } },
};
const lockCases = [
  { name: 'v1 nested dependencies, file: deps skipped', doc: v1, want: ['debug@2.6.9 dev=false', 'ms@2.0.0 dev=false', 'ms@2.1.3 dev=true'] },
  { name: 'v2 packages win over the v1 section; aliases and links', doc: v2, want: ['debug@2.6.9 dev=false', 'ms@2.0.0 dev=false', 'ms@2.1.2 dev=false', 'ms@2.1.3 dev=true'] },
  { name: 'v3', doc: { ...v2, lockfileVersion: 3, dependencies: undefined }, want: ['debug@2.6.9 dev=false', 'ms@2.0.0 dev=false', 'ms@2.1.2 dev=false', 'ms@2.1.3 dev=true'] },
] as const;
for (const c of lockCases) {
  test(`package-lock ${c.name}`, () => {
    const got = parsePackageLock(JSON.stringify(c.doc)).map((l) => `${l.name}@${l.version} dev=${l.isDev}`).sort();
    assert.deepEqual(got, c.want);
  });
}

const badLocks = [
  { name: 'not JSON', text: '{"lockfileVersion": 3,', code: 'SBOM_FILE_INVALID' },
  { name: 'unknown lockfileVersion', text: '{"lockfileVersion": 9, "packages": {}}', code: 'SBOM_FILE_INVALID' },
  { name: 'a JSON array', text: '[]', code: 'SBOM_FILE_INVALID' },
  { name: 'nesting bomb', text: `{"lockfileVersion":1,"dependencies":${'{"a":{"version":"1.0.0","dependencies":'.repeat(80)}{}${'}}'.repeat(80)}}`, code: 'LIMIT_EXCEEDED' },
] as const;
for (const c of badLocks) {
  test(`package-lock rejects ${c.name} with ${c.code}`, () => {
    assert.throws(() => parsePackageLock(c.text), (e) => isBosunError(e, c.code));
  });
}

test('npm: lock and installed tree merge into one package each; dev flag from the lockfile', async () => {
  const sbom = await catalog(dirTree(syntheticDebianTree()), { source: { kind: 'directory', name: 'x' }, catalogers: [npmInstalledCataloger, npmLockCataloger] });
  assert.deepEqual(sbom.packages.map((p) => [p.name, p.metadata.isDev, p.locations.map((l) => l.path)]), [
    ['@babel/code-frame', true, ['/app/node_modules/@babel/code-frame/package.json', '/app/package-lock.json']],
    ['ms', false, ['/app/node_modules/ms/package.json', '/app/package-lock.json']],
  ]);
  assert.deepEqual(sbom.problems, []);
});

const hostile = [
  { name: 'binary package.json', files: { 'node_modules/x/package.json': Buffer.from([0xff, 0, 0xfe]) }, code: 'SBOM_FILE_INVALID' },
  { name: 'truncated JSON', files: { 'node_modules/x/package.json': '{"name": "x", "vers' }, code: 'SBOM_FILE_INVALID' },
  { name: 'no version', files: { 'node_modules/x/package.json': '{"name": "x"}' }, code: 'SBOM_FILE_INVALID' },
  { name: 'name with ..', files: { 'node_modules/x/package.json': '{"name": "../../etc", "version": "1.0.0"}' }, code: 'SBOM_FILE_INVALID' },
] as const;
for (const h of hostile) {
  test(`npm-installed hostile: ${h.name} is a problem, the good package still found`, async () => {
    const tree = dirTree(writeTree({ ...h.files, 'node_modules/ok/package.json': '{"name":"ok","version":"1.0.0"}' }));
    const r = await npmInstalledCataloger.catalog(tree, {});
    assert.deepEqual(r.packages.map((p) => p.name), ['ok']);
    assert.deepEqual(r.problems.map((p) => [p.path, p.code]), [['/node_modules/x/package.json', h.code]]);
  });
}
