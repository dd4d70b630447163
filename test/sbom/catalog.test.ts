import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { isBosunError } from '../../src/errors.js';
import { catalog, catalogGlobs } from '../../src/sbom/catalog.js';
import type { Cataloger } from '../../src/sbom/cataloger.js';
import { fileCataloger, newPackage } from '../../src/sbom/cataloger.js';
import { parseApkInstalled } from '../../src/sbom/catalogers/apk.js';
import { parseDeb822 } from '../../src/sbom/catalogers/deb822.js';
import { parseDebianCopyright } from '../../src/sbom/catalogers/dpkg-copyright.js';
import { defaultCatalogers, dpkgCataloger } from '../../src/sbom/catalogers/index.js';
import { parsePackageLock } from '../../src/sbom/catalogers/npm-lock.js';
import { parseOsRelease } from '../../src/sbom/catalogers/os-release.js';
import { parsePnpmLock } from '../../src/sbom/catalogers/pnpm-lock.js';
import { parseCoreMetadata } from '../../src/sbom/catalogers/python.js';
import { parseYarnBerry, parseYarnV1 } from '../../src/sbom/catalogers/yarn-lock.js';
import { toSpdxExpression } from '../../src/sbom/license.js';
import { dirTree } from '../helpers/dir-tree.js';
import { dpkgStatus, syntheticDebianTree, writeTree } from '../helpers/sbom-fixture.js';

const source = { kind: 'directory', name: 'test' } as const;
const layer = `sha256:${'12'.repeat(32)}` as const;

test('catalogGlobs: the sorted union of every cataloger glob plus the OS release files', () => {
  const globs = catalogGlobs();
  assert.deepEqual(globs, [...new Set(globs)].sort());
  for (const c of defaultCatalogers) for (const g of c.globs) assert.ok(globs.includes(g), g);
  assert.ok(globs.includes('/etc/os-release') && globs.includes('/var/lib/dpkg/info/*.list'));
});

test('catalog: every package, location and problem carries the layer it came from', async () => {
  const root = writeTree({ 'var/lib/dpkg/status': dpkgStatus, 'node_modules/x/package.json': '{' });
  const sbom = await catalog(dirTree(root, { layer }), { source });
  assert.ok(sbom.packages.length > 0);
  for (const p of sbom.packages) assert.deepEqual(p.locations.map((l) => l.layer), [layer]);
  assert.deepEqual(sbom.problems.map((p) => [p.path, p.layer, p.code]), [['/node_modules/x/package.json', layer, 'SBOM_FILE_INVALID']]);
});

test('catalog: output does not depend on cataloger order', async () => {
  const tree = dirTree(syntheticDebianTree());
  const a = await catalog(tree, { source });
  const b = await catalog(tree, { source, catalogers: [...defaultCatalogers].reverse() });
  assert.deepEqual(b, a);
});

test('catalog: a cataloger that throws becomes an INTERNAL problem and the others still run', async () => {
  const broken: Cataloger = { name: 'broken', version: 1, globs: [], catalog: () => Promise.reject(new TypeError('boom')) };
  const sbom = await catalog(dirTree(writeTree({ 'var/lib/dpkg/status': dpkgStatus })), { source, catalogers: [broken, dpkgCataloger] });
  assert.equal(sbom.packages.length, 3);
  assert.deepEqual(sbom.problems.map((p) => [p.path, p.code]), [['/', 'INTERNAL']]);
});

test('catalog: an aborted signal stops the scan with ABORTED', async () => {
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(catalog(dirTree(syntheticDebianTree()), { source, signal: ac.signal }), (e) => isBosunError(e, 'ABORTED'));
});

test('catalog: merging the same purl keeps one id and remaps relationships to it', async () => {
  const entry = (p: string) => ({ path: p, kind: 'file' as const, size: 1, mode: 0o644 });
  const make = (name: string, at: string, dep?: string): Cataloger => ({
    name, version: 1, globs: [],
    async catalog() {
      const a = newPackage({ type: 'npm', name: 'a', version: '1.0.0', purl: 'pkg:npm/a@1.0.0', entry: entry(at), foundBy: name });
      const b = newPackage({ type: 'npm', name: 'b', version: '1.0.0', purl: 'pkg:npm/b@1.0.0', entry: entry(at), foundBy: name });
      return { packages: [a, b], relationships: dep ? [{ from: b.id, to: a.id, type: 'depends-on' }] : [], problems: [] };
    },
  });
  const sbom = await catalog(dirTree(writeTree({})), { source, catalogers: [make('second', '/z/package-lock.json', 'yes'), make('first', '/a/package-lock.json')] });
  assert.equal(sbom.packages.length, 2);
  assert.deepEqual(sbom.packages[0]?.locations.map((l) => l.path), ['/a/package-lock.json', '/z/package-lock.json']);
  const [a, b] = sbom.packages;
  assert.deepEqual(sbom.relationships.filter((r) => r.type === 'depends-on'), [{ from: b?.id, to: a?.id, type: 'depends-on' }]);
});

test('fileCataloger: follows a symlink inside the root, refuses one that escapes it', async () => {
  const root = writeTree({ 'var/lib/dpkg/status.real': dpkgStatus, 'outside/x': 'Package: leak\nStatus: install ok installed\nVersion: 1\n' });
  symlinkSync('status.real', path.join(root, 'var/lib/dpkg/status'));
  const inside = await dpkgCataloger.catalog(dirTree(root), {});
  assert.equal(inside.packages.length, 3);
  const tree = writeTree({});
  symlinkSync(path.join(root, 'outside/x'), path.join(tree, 'status'));
  const seen: string[] = [];
  const c = fileCataloger({ name: 't', version: 1, globs: ['/status'], maxBytes: 1024, parse: ({ text }) => (seen.push(text), { packages: [] }) });
  const r = await c.catalog(dirTree(tree), {});
  assert.deepEqual(seen, [], 'nothing outside the root is read');
  assert.deepEqual(r.problems.map((p) => p.code), ['SBOM_FILE_INVALID']);
});

const parsers: Array<[string, (s: string) => unknown]> = [
  ['deb822', parseDeb822],
  ['debian copyright', (s) => parseDebianCopyright(`Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n${s}`)],
  ['apk installed', parseApkInstalled],
  ['package-lock', parsePackageLock],
  ['yarn v1', parseYarnV1],
  ['yarn berry', (s) => parseYarnBerry(`__metadata:\n${s}`)],
  ['pnpm-lock', parsePnpmLock],
  ['core metadata', parseCoreMetadata],
  ['os-release', parseOsRelease],
  ['license', toSpdxExpression],
];
for (const [name, parse] of parsers) {
  test(`property: ${name} parser throws only BosunError on arbitrary input`, () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => {
        try {
          parse(s);
        } catch (err) {
          if (!isBosunError(err)) throw err;
        }
      }),
      { numRuns: 300 },
    );
  });
}
