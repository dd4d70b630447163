import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { rootfsTree } from '../../src/oci/rootfs.js';
import { catalog, catalogGlobs } from '../../src/sbom/catalog.js';
import { parseModInfo } from '../../src/sbom/catalogers/go-buildinfo.js';
import { goBinaryCataloger, goBinaryPackages, golangPurl, stdlibVersion } from '../../src/sbom/catalogers/go.js';
import { debExtract } from '../helpers/debian.js';
import { dirTree } from '../helpers/dir-tree.js';
import { goPointerElf } from '../helpers/elf-writer.js';
import { writeTree } from '../helpers/sbom-fixture.js';

const purlCases = [
  { p: 'github.com/google/uuid', v: 'v1.3.0', want: 'pkg:golang/github.com/google/uuid@v1.3.0' },
  { p: 'example.com/app', v: '(devel)', want: 'pkg:golang/example.com/app' },
  { p: 'golang.org/x/text', v: 'v0.3.8-0.20211004125949-5bd84dd9b33b', want: 'pkg:golang/golang.org/x/text@v0.3.8-0.20211004125949-5bd84dd9b33b' },
  { p: 'gopkg.in/yaml.v3', v: 'v3.0.1', want: 'pkg:golang/gopkg.in/yaml.v3@v3.0.1' },
] as const;
for (const c of purlCases) test(`golang purl ${c.p}@${c.v}`, () => assert.equal(golangPurl(c.p, c.v), c.want));

const stdCases = [
  { v: 'go1.21.5', want: '1.21.5' },
  { v: 'go1.22rc1 X:boringcrypto', want: '1.22rc1' },
  { v: 'go1.19.8', want: '1.19.8' },
  { v: 'devel go1.23-abcdef Tue', want: undefined },
] as const;
for (const c of stdCases) test(`stdlib version of ${c.v}`, () => assert.equal(stdlibVersion(c.v), c.want));

test('module info: path, mod, deps, replacements, quoted build settings', () => {
  const info = parseModInfo('path\tx/cmd\nmod\tx\t(devel)\t\ndep\ta\tv1.0.0\th1:abc=\n=>\tb\tv2.0.0\th1:def=\ndep\tc\tv0.1.0\t\nbuild\t-ldflags="-X main.v=1"\nbuild\tGOOS=linux\nbuild\t"odd=key"=v\nfuture\tline\n');
  assert.equal(info.path, 'x/cmd');
  assert.deepEqual(info.main, { path: 'x', version: '(devel)' });
  assert.deepEqual(info.deps, [{ path: 'a', version: 'v1.0.0', sum: 'h1:abc=', replace: { path: 'b', version: 'v2.0.0', sum: 'h1:def=' } }, { path: 'c', version: 'v0.1.0' }]);
  assert.deepEqual(info.settings, [{ key: '-ldflags', value: '-X main.v=1' }, { key: 'GOOS', value: 'linux' }, { key: 'odd=key', value: 'v' }]);
});

test('go-binary packages: GOARCH is the arch, vcs.revision the main module commit', () => {
  const entry = { path: '/bin/x', kind: 'file' as const, size: 1, mode: 0o755 };
  const pkgs = goBinaryPackages({ goVersion: 'go1.21.5', main: { path: 'ex.com/a', version: 'v1.0.0' }, deps: [], settings: [{ key: 'GOARCH', value: 'arm64' }, { key: 'vcs.revision', value: 'abc123' }] }, entry);
  assert.deepEqual(pkgs.map((p) => [p.purl, p.metadata.arch, p.metadata.commit]), [['pkg:golang/stdlib@1.21.5', 'arm64', undefined], ['pkg:golang/ex.com/a@v1.0.0', 'arm64', 'abc123']]);
});

// Go binaries: the fixture built by test/fixtures/sbom/go/make.sh (cached under fixtures/build) and
// the Go programs Debian ships. Truth is `go version -m`, the Go toolchain's own reader.
const build = path.resolve(import.meta.dirname, '../fixtures/build/go');
let tree = '';
const binaries = ['app', 'app-386', 'skopeo', 'docker-registry', 'umoci'];
before(() => {
  if (!existsSync(path.join(build, 'app-386'))) {
    mkdirSync(build, { recursive: true });
    const src = mkdtempSync(path.join(tmpdir(), 'bosun-uuid-'));
    debExtract('golang-github-google-uuid-dev', src);
    execFileSync(path.resolve(import.meta.dirname, '../fixtures/sbom/go/make.sh'), [path.join(src, 'usr/share/gocode/src/github.com/google/uuid'), build, '386'], {
      env: { ...process.env, GOCACHE: path.join(build, '../gocache') },
      stdio: 'ignore',
    });
  }
  tree = mkdtempSync(path.join(tmpdir(), 'bosun-go-'));
  mkdirSync(path.join(tree, 'usr/local/bin'), { recursive: true });
  copyFileSync(path.join(build, 'app'), path.join(tree, 'usr/local/bin/app'));
  copyFileSync(path.join(build, 'app-386'), path.join(tree, 'usr/local/bin/app-386'));
  for (const b of ['skopeo', 'docker-registry', 'umoci']) copyFileSync(`/usr/bin/${b}`, path.join(tree, `usr/local/bin/${b}`));
  writeFileSync(path.join(tree, 'usr/local/bin/script'), '#!/bin/sh\necho not a binary\n');
  copyFileSync('/usr/bin/true', path.join(tree, 'usr/local/bin/true'));
});

/** Expected purls and GOARCH from `go version -m` output (replacements applied as documented). */
function goVersionTruth(file: string): { purls: string[]; arch: string } {
  const lines = execFileSync('go', ['version', '-m', file], { encoding: 'utf8' }).split('\n');
  const purls = [`pkg:golang/stdlib@${/: go(\S+)/.exec(lines[0] ?? '')?.[1]}`];
  let arch = '';
  const mods: string[][] = [];
  for (const l of lines.slice(1)) {
    const f = l.trim().split('\t');
    if (f[0] === 'mod' || f[0] === 'dep') mods.push(f.slice(1));
    else if (f[0] === '=>') {
      const orig = mods.pop() as string[];
      mods.push(f[1]?.startsWith('.') ? [orig[0] as string, '(devel)'] : f.slice(1));
    } else if (f[0] === 'build' && f[1]?.startsWith('GOARCH=')) arch = f[1].slice(7);
  }
  for (const [p, v] of mods) purls.push(v === '(devel)' ? `pkg:golang/${p}` : `pkg:golang/${p}@${v}`);
  return { purls: purls.sort(), arch };
}

test('go-binary: every module `go version -m` reports, for the fixture and Debian binaries', async () => {
  const r = await goBinaryCataloger.catalog(dirTree(tree), {});
  assert.deepEqual(r.problems, []);
  for (const b of binaries) {
    const got = r.packages.filter((p) => p.locations[0]?.path === `/usr/local/bin/${b}`);
    const truth = goVersionTruth(path.join(tree, 'usr/local/bin', b));
    assert.deepEqual(got.map((p) => p.purl).sort(), truth.purls, b);
    assert.ok(got.every((p) => p.metadata.arch === truth.arch), b);
  }
  const app = r.packages.filter((p) => p.locations[0]?.path === '/usr/local/bin/app').map((p) => `${p.name}@${p.version}`).sort();
  assert.deepEqual(app, ['example.com/fixture/app@(devel)', 'example.com/fixture/greet@(devel)', 'github.com/google/uuid@v1.3.0', 'github.com/pborman/uuid@v1.2.1', 'stdlib@1.19.8']);
  assert.equal(r.packages.filter((p) => p.locations[0]?.path.endsWith('/script') || p.locations[0]?.path.endsWith('/true')).length, 0);
});

const frame = (s: string): string => `${'x'.repeat(16)}${s}${'y'.repeat(16)}`;
const pointerCases = [
  { name: 'pointer layout (pre-1.18) via the section', elf: { goVersion: 'go1.16.15', modinfo: frame('path\tex.com/a\nmod\tex.com/a\tv1.0.0\t\ndep\tex.com/b\tv0.2.0\th1:x\n') }, want: ['pkg:golang/ex.com/a@v1.0.0', 'pkg:golang/ex.com/b@v0.2.0', 'pkg:golang/stdlib@1.16.15'], codes: [] },
  { name: 'pointer layout found by searching the data segment', elf: { goVersion: 'go1.17.2', modinfo: frame('path\tex.com/a\nmod\tex.com/a\tv1.0.0\t\n'), noSections: true }, want: ['pkg:golang/ex.com/a@v1.0.0', 'pkg:golang/stdlib@1.17.2'], codes: [] },
  { name: 'GOPATH build (no module info)', elf: { goVersion: 'go1.16.15', modinfo: '' }, want: ['pkg:golang/stdlib@1.16.15'], codes: [] },
  { name: 'dangling string pointer', elf: { goVersion: 'go1.16.15', modinfo: '', danglingPointer: true }, want: [], codes: ['SBOM_FILE_INVALID'] },
] as const;
for (const c of pointerCases) {
  // Debian's Go 1.19 writes only the 1.18+ inline layout; these ELF files are assembled by hand
  test(`go-binary: ${c.name}`, async () => {
    const r = await goBinaryCataloger.catalog(dirTree(writeTree({ 'bin/x': goPointerElf(c.elf) })), {});
    assert.deepEqual(r.packages.map((p) => p.purl).sort(), c.want);
    assert.deepEqual(r.problems.map((p) => p.code), c.codes);
  });
}

/** Section header facts from binutils' readelf (not bosun's reader). */
function sectionHeader(file: string, name: string): { shoff: number; index: number } {
  const shoff = Number(/Start of section headers:\s+(\d+)/.exec(execFileSync('readelf', ['-h', file], { encoding: 'utf8' }))?.[1]);
  const index = Number(new RegExp(`\\[\\s*(\\d+)\\]\\s+${name.replace('.', '\\.')}\\s`).exec(execFileSync('readelf', ['-W', '-S', file], { encoding: 'utf8' }))?.[1]);
  return { shoff, index };
}

const patched = (mutate: (b: Buffer, h: { shoff: number; index: number }) => void) => (): Buffer => {
  const file = path.join(build, 'app');
  const b = readFileSync(file);
  mutate(b, sectionHeader(file, '.go.buildinfo'));
  return b;
};
const hostile = [
  { name: 'truncated ELF header', file: () => readFileSync(path.join(build, 'app')).subarray(0, 60), codes: ['SBOM_FILE_INVALID'] },
  { name: 'truncated binary (section table past EOF)', file: () => readFileSync(path.join(build, 'app')).subarray(0, 1 << 20), codes: ['SBOM_FILE_INVALID'] },
  { name: 'huge section count', file: patched((b) => b.writeUInt16LE(0xffff, 60)), codes: ['LIMIT_EXCEEDED'] },
  { name: 'huge declared .go.buildinfo size', file: patched((b, h) => b.writeBigUInt64LE(1n << 40n, h.shoff + h.index * 64 + 32)), codes: ['LIMIT_EXCEEDED'] },
  { name: '.go.buildinfo offset past EOF', file: patched((b, h) => b.writeBigUInt64LE(1n << 50n, h.shoff + h.index * 64 + 24)), codes: ['SBOM_FILE_INVALID'] },
  { name: 'section table offset past EOF', file: patched((b) => b.writeBigUInt64LE(0xffffffffffffn, 40)), codes: ['SBOM_FILE_INVALID'] },
] as const;
for (const c of hostile) {
  test(`go-binary hostile: ${c.name}`, async () => {
    const r = await goBinaryCataloger.catalog(dirTree(writeTree({ 'bin/x': c.file() })), {});
    assert.deepEqual(r.packages, []);
    assert.deepEqual(r.problems.map((p) => [p.path, p.code]), c.codes.map((code) => ['/bin/x', code]));
  });
}

test('go-binary: an inline varint length past the section is a problem', async () => {
  const file = path.join(build, 'app');
  const b = readFileSync(file);
  const at = b.indexOf(Buffer.from('\xff Go buildinf:', 'latin1'));
  b.fill(0xff, at + 32, at + 36); // the version string's length prefix: a 4-byte varint, ~2^28
  b[at + 36] = 0x01;
  const r = await goBinaryCataloger.catalog(dirTree(writeTree({ 'bin/x': b })), {});
  assert.deepEqual(r.problems.map((p) => p.code), ['SBOM_FILE_INVALID']);
});

test('go-binary: through the production rootfs tree and catalogGlobs(), a binary at the image root is found', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bosun-go-rootfs-'));
  copyFileSync(path.join(build, 'app'), path.join(dir, 'manager'));
  mkdirSync(path.join(dir, 'usr/share/doc'), { recursive: true });
  copyFileSync(path.join(build, 'app'), path.join(dir, 'usr/share/doc/not-scanned'));
  const fs = await rootfsTree(dir, catalogGlobs());
  const sbom = await catalog(fs, { source: { kind: 'directory', name: dir } });
  const paths = new Set(sbom.packages.filter((p) => p.foundBy === 'go-binary').flatMap((p) => p.locations.map((l) => l.path)));
  assert.deepEqual([...paths], ['/manager']);
  assert.ok(sbom.packages.some((p) => p.purl === 'pkg:golang/github.com/google/uuid@v1.3.0'));
});
