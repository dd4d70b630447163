// Differential test: bosun's catalogers against each ecosystem's own tool on real packages
// (dpkg-query over a root dpkg built, `npm ls` over a tree npm installed, importlib.metadata run
// by Debian's python3). Recall and precision must both be 100%: the sets are compared exactly.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { before, test } from 'node:test';
import { catalog } from '../../src/sbom/catalog.js';
import type { Cataloger } from '../../src/sbom/cataloger.js';
import { dpkgCataloger, npmInstalledCataloger, npmLockCataloger, pnpmLockCataloger, pythonCataloger, yarnLockCataloger } from '../../src/sbom/catalogers/index.js';
import { findOsRelease } from '../../src/sbom/catalogers/os-release.js';
import { readCycloneDx } from '../../src/sbom/codecs/cyclonedx-read.js';
import { toCycloneDx } from '../../src/sbom/codecs/cyclonedx.js';
import { readSpdx } from '../../src/sbom/codecs/spdx-read.js';
import { toSpdx } from '../../src/sbom/codecs/spdx.js';
import { isValidExpression } from '../../src/sbom/license.js';
import type { Package, Sbom } from '../../src/sbom/model.js';
import { buildDir, ensureRootfs, npmProject } from '../fixtures/sbom/build.js';
import { dirTree } from '../helpers/dir-tree.js';
import { cycloneDxValidator, spdxValidator } from '../helpers/sbom-schemas.js';

let root = '';
let sbom: Sbom;

before(async () => {
  root = ensureRootfs();
  sbom = await catalog(dirTree(root), { source: { kind: 'directory', name: 'rootfs' } });
});

async function run(c: Cataloger): Promise<Package[]> {
  const tree = dirTree(root);
  const { os } = await findOsRelease(tree);
  const r = await c.catalog(tree, os ? { os } : {});
  assert.deepEqual(r.problems, [], `${c.name} reported problems`);
  return r.packages;
}

const key = (name: string, version: string): string => `${name}@${version}`;
const sorted = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();
const sh = (cmd: string, args: string[], cwd?: string): string => execFileSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 32 << 20 });

interface DpkgTruth { name: string; version: string; arch: string; source: string; sourceVersion: string }

function dpkgTruth(): DpkgTruth[] {
  const out = sh('dpkg-query', [`--admindir=${root}/var/lib/dpkg`, '-W', '-f', '${db:Status-Abbrev}|${Package}|${Version}|${Architecture}|${source:Package}|${source:Version}\n']);
  return out.split('\n').filter((l) => /^[ih]i /.test(l)).map((l) => {
    const [, name = '', version = '', arch = '', source = '', sourceVersion = ''] = l.split('|');
    return { name, version, arch, source, sourceVersion };
  });
}

test('dpkg-db finds exactly what dpkg-query calls installed, with source, arch and owned files', async () => {
  const truth = dpkgTruth();
  assert.ok(truth.length >= 15, 'fixture has the installed libraries');
  const pkgs = await run(dpkgCataloger);
  // base-files and netbase are only unpacked (their postinst cannot run in a bare root): not installed
  assert.deepEqual(sorted(pkgs.map((p) => key(p.name, p.version))), sorted(truth.map((t) => key(t.name, t.version))));
  for (const t of truth) {
    const p = pkgs.find((x) => x.name === t.name) as Package;
    assert.equal(p.metadata.arch, t.arch, t.name);
    assert.equal(p.metadata.sourceName, t.source, t.name);
    assert.equal(p.metadata.sourceVersion, t.sourceVersion, t.name);
    const listed = sh('dpkg-query', [`--admindir=${root}/var/lib/dpkg`, '-L', t.name]).split('\n').filter((l) => l && l !== '/.');
    assert.deepEqual(p.metadata.files, listed, `${t.name} owned files`);
    assert.match(p.purl, new RegExp(`^pkg:deb/debian/${t.name.replace(/[+.]/g, '\\$&')}@.*arch=${t.arch}.*distro=debian-`));
  }
});

test('dpkg-db reads DEP-5 copyright licenses as valid SPDX expressions', async () => {
  const pkgs = await run(dpkgCataloger);
  const zlib = pkgs.find((p) => p.name === 'zlib1g');
  assert.deepEqual(zlib?.licenses, ['Zlib']);
  // hello's copyright is free text, not DEP-5: no license is guessed from prose
  assert.deepEqual(pkgs.find((p) => p.name === 'hello')?.licenses, []);
  const withLicenses = pkgs.filter((p) => p.licenses.length > 0);
  assert.ok(withLicenses.length >= 12, `most fixture debs have DEP-5 copyrights (${withLicenses.length})`);
  for (const p of withLicenses) for (const l of p.licenses) assert.ok(isValidExpression(l), `${p.name}: ${l}`);
});

test('dpkg-db records Depends between installed packages', () => {
  const byName = new Map(sbom.packages.map((p) => [p.name, p]));
  const selinux = byName.get('libselinux1');
  const pcre = byName.get('libpcre2-8-0');
  assert.ok(selinux && pcre);
  assert.ok(sbom.relationships.some((r) => r.type === 'depends-on' && r.from === selinux.id && r.to === pcre.id));
});

interface NpmLsNode { version?: string; missing?: boolean; dependencies?: Record<string, NpmLsNode> }

function npmLsSet(extra: string[]): string[] {
  const tree = JSON.parse(sh('npm', ['ls', '--all', '--json', ...extra], path.join(root, 'app'))) as NpmLsNode;
  const out: string[] = [];
  const walk = (deps: Record<string, NpmLsNode> | undefined): void => {
    for (const [name, node] of Object.entries(deps ?? {})) {
      if (node.version && !node.missing) out.push(key(name, node.version));
      walk(node.dependencies);
    }
  };
  walk(tree.dependencies);
  return sorted(out);
}

test('npm-installed and npm-lock each find exactly what `npm ls --all` lists', async () => {
  const truth = npmLsSet([]);
  assert.ok(truth.length > 50, 'express brings a real tree');
  // the yarn-app and pnpm-app trees beside /app are compared with their own tools below
  const installed = (await run(npmInstalledCataloger)).filter((p) => p.locations[0]?.path.startsWith('/app/'));
  assert.deepEqual(sorted(installed.map((p) => key(p.name, p.version))), truth);
  const locked = await run(npmLockCataloger);
  assert.deepEqual(sorted(locked.map((p) => key(p.name, p.version))), truth);
});

test('npm devDependencies are marked, and only they', () => {
  const prod = new Set(npmLsSet(['--omit=dev']));
  const npm = sbom.packages.filter((p) => p.type === 'npm');
  for (const p of npm) assert.equal(p.metadata.isDev, !prod.has(key(p.name, p.version)), key(p.name, p.version));
  assert.ok(npm.some((p) => p.name === 'is-number' && p.metadata.isDev === true));
  const scoped = npm.find((p) => p.name === '@babel/code-frame');
  assert.match(scoped?.purl ?? '', /^pkg:npm\/%40babel\/code-frame@/);
  const express = npm.find((p) => p.name === 'express') as Package;
  const bodyParser = npm.find((p) => p.name === 'body-parser') as Package;
  assert.ok(sbom.relationships.some((r) => r.type === 'depends-on' && r.from === express.id && r.to === bodyParser.id));
});

test('python-installed finds exactly what importlib.metadata finds in dist-packages', async () => {
  const site = path.join(root, 'usr/lib/python3/dist-packages');
  const script = 'import sys, json, importlib.metadata as m\nprint(json.dumps(sorted(d.metadata["Name"] + "@" + d.version for d in m.distributions(path=[sys.argv[1]]))))';
  const truth = JSON.parse(sh('/usr/bin/python3', ['-c', script, site])) as string[];
  assert.equal(truth.length, 5);
  const pkgs = await run(pythonCataloger);
  assert.deepEqual(sorted(pkgs.map((p) => key(p.name, p.version))), sorted(truth));
  for (const p of pkgs) assert.match(p.purl, /^pkg:pypi\/[a-z0-9-]+@/);
});

interface YarnTree { name: string; shadow?: boolean; children?: YarnTree[] }
interface PnpmNode { version?: string; dependencies?: Record<string, PnpmNode>; devDependencies?: Record<string, PnpmNode> }

function yarnTruth(): string[] {
  const line = readFileSync(path.join(buildDir, 'yarn-app.truth.json'), 'utf8').split('\n').find((l) => l.includes('"type":"tree"')) ?? '{}';
  const out: string[] = [];
  const walk = (ts: YarnTree[] | undefined): void => {
    for (const t of ts ?? []) {
      if (!t.shadow) out.push(t.name);
      walk(t.children);
    }
  };
  walk((JSON.parse(line) as { data?: { trees?: YarnTree[] } }).data?.trees);
  return sorted(out);
}

function pnpmTruth(): { all: string[]; dev: Set<string> } {
  const [project] = JSON.parse(readFileSync(path.join(buildDir, 'pnpm-app.truth.json'), 'utf8')) as PnpmNode[];
  const all: string[] = [];
  const walk = (deps: Record<string, PnpmNode> | undefined, into: string[]): void => {
    for (const [name, n] of Object.entries(deps ?? {})) {
      if (n.version) into.push(key(name, n.version));
      walk(n.dependencies, into);
    }
  };
  const prod: string[] = [];
  walk(project?.dependencies, prod);
  const dev: string[] = [];
  walk(project?.devDependencies, dev);
  all.push(...prod, ...dev);
  return { all: sorted(all), dev: new Set(dev.filter((d) => !prod.includes(d))) };
}

test('yarn-lock finds exactly what `yarn list` lists, dev-only packages marked', async () => {
  const pkgs = await run(yarnLockCataloger);
  assert.ok(pkgs.every((p) => p.locations[0]?.path === '/yarn-app/yarn.lock'));
  assert.deepEqual(sorted(pkgs.map((p) => key(p.name, p.version))), yarnTruth());
  const devOnly = pkgs.filter((p) => p.metadata.isDev).map((p) => p.name);
  assert.deepEqual(devOnly, Object.keys(npmProject.devDependencies));
});

test('pnpm-lock finds exactly what `pnpm ls --depth Infinity` lists, dev-only packages marked', async () => {
  const truth = pnpmTruth();
  const pkgs = await run(pnpmLockCataloger);
  assert.deepEqual(sorted(pkgs.map((p) => key(p.name, p.version))), truth.all);
  assert.deepEqual(sorted(pkgs.filter((p) => p.metadata.isDev).map((p) => key(p.name, p.version))), sorted(truth.dev));
  // pnpm's node_modules/.pnpm/<name>@<version>/node_modules/<name> layout is found by npm-installed too
  const installed = (await run(npmInstalledCataloger)).filter((p) => p.locations[0]?.path.startsWith('/pnpm-app/'));
  assert.deepEqual(sorted(installed.map((p) => key(p.name, p.version))), truth.all);
});

test('the SBOM of the real tree validates as SPDX 2.3 and CycloneDX 1.6, and reads back unchanged', async () => {
  const spdx = toSpdx(sbom);
  const cdx = toCycloneDx(sbom);
  assert.deepEqual(spdxValidator()(spdx), []);
  assert.deepEqual(cycloneDxValidator()(cdx), []);
  for (const p of spdx.packages as Array<{ SPDXID: string }>) assert.match(p.SPDXID, /^SPDXRef-[a-zA-Z0-9.-]+$/);
  const strip = (s: Sbom) => s.packages.map((p) => [p.id, p.purl, p.licenses, p.locations]);
  assert.deepEqual(strip(await readSpdx(Readable.from([JSON.stringify(spdx)]))), strip(sbom));
  assert.deepEqual(strip(await readCycloneDx(Readable.from([JSON.stringify(cdx)]))), strip(sbom));
});
