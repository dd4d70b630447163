import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { isBosunError } from '../../src/errors.js';
import { goModCataloger, goModulePurl, parseGoMod } from '../../src/sbom/catalogers/go-mod.js';
import { debExtract } from '../helpers/debian.js';
import { dirTree } from '../helpers/dir-tree.js';
import { writeTree } from '../helpers/sbom-fixture.js';

interface GoEditJson {
  Require?: { Path: string; Version: string; Indirect?: boolean }[];
}

/** What the go command itself reads from a go.mod (`go mod edit -json`, offline). */
function goModEdit(file: string): { path: string; version: string; isIndirect: boolean }[] {
  const doc = JSON.parse(execFileSync('go', ['mod', 'edit', '-json', file], { encoding: 'utf8' })) as GoEditJson;
  return (doc.Require ?? []).map((r) => ({ path: r.Path, version: r.Version, isIndirect: r.Indirect === true }));
}

test('go.mod of a real module (Debian golang-github-containers-image-dev) reads as `go mod edit -json` does', () => {
  const root = writeTree({});
  debExtract('golang-github-containers-image-dev', root);
  const file = path.join(root, 'usr/share/gocode/src/github.com/containers/image/go.mod');
  const got = parseGoMod(readFileSync(file, 'utf8')).requires;
  assert.ok(got.some((r) => r.isIndirect) && got.some((r) => !r.isIndirect));
  assert.deepEqual(got, goModEdit(file));
});

const goMod = `module example.com/app

go 1.21

require (
	github.com/sirupsen/logrus v1.9.3
	golang.org/x/sys v0.15.0 // indirect
	"github.com/quoted/mod" v1.0.0
	github.com/docker/docker v24.0.7+incompatible // indirect; pinned by hand
	github.com/old/name v1.2.0
	example.com/local v0.0.0
)

require github.com/stretchr/testify v1.8.4 // a comment, not indirect

replace github.com/old/name => github.com/new/name v1.3.0
replace golang.org/x/sys v0.15.0 => golang.org/x/sys v0.16.0
replace golang.org/x/sys v0.1.0 => golang.org/x/sys v0.2.0
replace example.com/local => ../local
exclude github.com/bad/mod v1.0.0
`;

test('go.mod: blocks, single lines, quotes, // indirect, versioned and local replaces (agrees with go mod edit on the directives)', () => {
  const file = path.join(writeTree({ 'go.mod': goMod }), 'go.mod');
  const directives = goModEdit(file);
  assert.equal(directives.length, 7);
  assert.deepEqual(parseGoMod(goMod), {
    module: 'example.com/app',
    requires: [
      { path: 'github.com/sirupsen/logrus', version: 'v1.9.3', isIndirect: false },
      { path: 'golang.org/x/sys', version: 'v0.16.0', isIndirect: true },
      { path: 'github.com/quoted/mod', version: 'v1.0.0', isIndirect: false },
      { path: 'github.com/docker/docker', version: 'v24.0.7+incompatible', isIndirect: true },
      { path: 'github.com/new/name', version: 'v1.3.0', isIndirect: false },
      { path: 'github.com/stretchr/testify', version: 'v1.8.4', isIndirect: false },
    ],
  });
});

const purlCases = [
  { p: 'github.com/sirupsen/logrus', v: 'v1.9.3', want: 'pkg:golang/github.com/sirupsen/logrus@v1.9.3' },
  { p: 'github.com/docker/docker', v: 'v24.0.7+incompatible', want: 'pkg:golang/github.com/docker/docker@v24.0.7+incompatible' },
  { p: 'gopkg.in/yaml.v3', v: 'v3.0.1', want: 'pkg:golang/gopkg.in/yaml.v3@v3.0.1' },
] as const;
for (const c of purlCases) test(`golang purl ${c.p}`, () => assert.equal(goModulePurl(c.p, c.v), c.want));

const badCases = [
  { name: 'unterminated require block', text: 'module a\nrequire (\n\tb v1.0.0\n', code: 'SBOM_FILE_INVALID' },
  { name: 'replace without a target', text: 'module a\nreplace b =>\n', code: 'SBOM_FILE_INVALID' },
  { name: 'replace without an arrow', text: 'module a\nreplace b c d e\n', code: 'SBOM_FILE_INVALID' },
] as const;
for (const c of badCases) test(`go.mod rejects ${c.name}`, () => assert.throws(() => parseGoMod(c.text), (e) => isBosunError(e, c.code)));

test('go.mod: a long hostile line is read in one pass', () => {
  const t0 = Date.now();
  parseGoMod(`require a v1 ${'"//'.repeat(200_000)}\n`);
  assert.ok(Date.now() - t0 < 1000);
});

test('go-mod-file cataloger: project go.mod found, module cache and vendor skipped, bad file a problem', async () => {
  const root = writeTree({
    'src/app/go.mod': goMod,
    'root/go/pkg/mod/github.com/x/y@v1.0.0/go.mod': 'module github.com/x/y\nrequire github.com/z/z v1.0.0\n',
    'src/app/vendor/github.com/x/y/go.mod': 'module github.com/x/y\nrequire github.com/z/z v1.0.0\n',
    'src/broken/go.mod': 'module b\nrequire (\n',
  });
  writeFileSync(path.join(root, 'src/app/go.sum'), '');
  const r = await goModCataloger.catalog(dirTree(root), {});
  assert.equal(r.packages.length, 6);
  assert.ok(r.packages.every((p) => p.locations[0]?.path === '/src/app/go.mod' && p.foundBy === 'go-mod-file'));
  assert.equal(r.packages.find((p) => p.name === 'golang.org/x/sys')?.metadata.isIndirect, true);
  assert.deepEqual(r.problems.map((p) => [p.path, p.code]), [['/src/broken/go.mod', 'SBOM_FILE_INVALID']]);
});
