import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { test } from 'node:test';
import { cargoAuditableCataloger, cargoLockCataloger, cargoPurl } from '../../src/sbom/catalogers/rust.js';
import { debExtract } from '../helpers/debian.js';
import { dirTree } from '../helpers/dir-tree.js';
import { writeTree } from '../helpers/sbom-fixture.js';

const crates = 'registry+https://github.com/rust-lang/crates.io-index';
const purlCases = [
  { n: 'itoa', v: '1.0.1', s: crates, want: 'pkg:cargo/itoa@1.0.1' },
  { n: 'itoa', v: '1.0.1', s: 'sparse+https://index.crates.io/', want: 'pkg:cargo/itoa@1.0.1' },
  { n: 'x', v: '0.1.0', s: 'git+https://github.com/o/x?branch=main#0123abcd', want: 'pkg:cargo/x@0.1.0?vcs_url=git%2Bhttps%3A%2F%2Fgithub.com%2Fo%2Fx%400123abcd' },
  { n: 'y', v: '2.0.0', s: 'registry+https://my.registry/index', want: 'pkg:cargo/y@2.0.0?repository_url=https%3A%2F%2Fmy.registry%2Findex' },
  { n: 'local', v: '0.1.0', s: undefined, want: undefined },
] as const;
for (const c of purlCases) test(`cargo purl ${c.n} from ${c.s}`, () => assert.equal(cargoPurl(c.n, c.v, c.s), c.want));

const v1 = `[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "itoa 1.0.1 (registry+https://github.com/rust-lang/crates.io-index)",
 "ryu 1.0.2 (registry+https://github.com/rust-lang/crates.io-index)",
]

[[package]]
name = "itoa"
version = "1.0.1"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "ryu"
version = "1.0.2"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = [
 "itoa 1.0.1 (registry+https://github.com/rust-lang/crates.io-index)",
]

[metadata]
"checksum itoa 1.0.1 (registry+https://github.com/rust-lang/crates.io-index)" = "1aab8fc3"
`;
const v3 = `version = 3

[[package]]
name = "app"
version = "0.1.0"
dependencies = ["forked", "itoa 0.4.8", "itoa 1.0.1"]

[[package]]
name = "forked"
version = "0.3.0"
source = "git+https://github.com/someone/forked?rev=abc#abc123"
dependencies = ["itoa 1.0.1"]

[[package]]
name = "itoa"
version = "0.4.8"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "b71991ff"

[[package]]
name = "itoa"
version = "1.0.1"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "1aab8fc3"
`;
const lockCases = [
  { name: 'v1 (deps with sources, [metadata] checksums)', text: v1, want: ['pkg:cargo/itoa@1.0.1', 'pkg:cargo/ryu@1.0.2'], edges: ['ryu>itoa'] },
  { name: 'v3 (git source, two versions of one crate)', text: v3, want: ['pkg:cargo/forked@0.3.0?vcs_url=git%2Bhttps%3A%2F%2Fgithub.com%2Fsomeone%2Fforked%40abc123', 'pkg:cargo/itoa@0.4.8', 'pkg:cargo/itoa@1.0.1'], edges: ['forked>itoa@1.0.1'] },
  { name: 'v4 with nothing but the root', text: 'version = 4\n\n[[package]]\nname = "solo"\nversion = "0.1.0"\n', want: [], edges: [] },
] as const;
for (const c of lockCases) {
  test(`cargo-lock: ${c.name}`, async () => {
    const r = await cargoLockCataloger.catalog(dirTree(writeTree({ 'src/app/Cargo.lock': c.text })), {});
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.packages.map((p) => p.purl).sort(), c.want);
    const label = (id: string): string => {
      const p = r.packages.find((x) => x.id === id);
      return r.packages.filter((x) => x.name === p?.name).length > 1 ? `${p?.name}@${p?.version}` : (p?.name ?? '?');
    };
    assert.deepEqual((r.relationships ?? []).map((e) => `${label(e.from)}>${label(e.to)}`), c.edges);
  });
}

const badLocks = [
  { name: 'not TOML', text: '[[package]\nname = ' },
  { name: 'package without version', text: '[[package]]\nname = "x"\nsource = "registry+x"\n' },
  { name: 'name with a path', text: '[[package]]\nname = "../x"\nversion = "1"\nsource = "registry+x"\n' },
  { name: 'dependencies not a list', text: '[[package]]\nname = "x"\nversion = "1"\ndependencies = 3\n' },
] as const;
for (const c of badLocks) {
  test(`cargo-lock rejects ${c.name}`, async () => {
    const r = await cargoLockCataloger.catalog(dirTree(writeTree({ 'Cargo.lock': c.text })), {});
    assert.deepEqual(r.packages, []);
    assert.deepEqual(r.problems.map((p) => [p.path, p.code]), [['/Cargo.lock', 'SBOM_FILE_INVALID']]);
  });
}

test('cargo-lock: every registry crate `cargo metadata` resolves, for a lockfile cargo wrote offline', async () => {
  // Debian's librust-*-dev packages are a cargo directory source (how Debian builds offline)
  const reg = mkdtempSync(path.join(tmpdir(), 'bosun-cargo-reg-'));
  for (const d of ['librust-itoa-dev', 'librust-ryu-dev', 'librust-memchr-dev']) debExtract(d, reg);
  const work = mkdtempSync(path.join(tmpdir(), 'bosun-cargo-'));
  const crate = path.join(work, 'src/app');
  mkdirSync(path.join(crate, 'src'), { recursive: true });
  mkdirSync(path.join(crate, 'helper/src'), { recursive: true });
  mkdirSync(path.join(crate, '.cargo'), { recursive: true });
  writeFileSync(path.join(crate, 'Cargo.toml'), '[package]\nname = "fixture-app"\nversion = "0.1.0"\nedition = "2018"\n\n[dependencies]\nitoa = "1"\nryu = "1"\nmemchr = "2"\nhelper = { path = "helper" }\n');
  writeFileSync(path.join(crate, 'src/main.rs'), 'fn main() {}\n');
  writeFileSync(path.join(crate, 'helper/Cargo.toml'), '[package]\nname = "helper"\nversion = "0.2.0"\nedition = "2018"\n');
  writeFileSync(path.join(crate, 'helper/src/lib.rs'), '');
  writeFileSync(path.join(crate, '.cargo/config.toml'), `[source.crates-io]\nreplace-with = "debian"\n[source.debian]\ndirectory = "${path.join(reg, 'usr/share/cargo/registry')}"\n`);
  execFileSync('cargo', ['generate-lockfile', '--offline'], { cwd: crate, stdio: 'ignore' });
  const meta = JSON.parse(execFileSync('cargo', ['metadata', '--offline', '--format-version', '1'], { cwd: crate, encoding: 'utf8', maxBuffer: 64 << 20 })) as { packages: Array<{ name: string; version: string; source: string | null }> };
  // path crates (fixture-app, helper) have no source: the project's own code, not reported
  const truth = meta.packages.filter((p) => p.source).map((p) => `pkg:cargo/${p.name}@${p.version}`).sort();
  const r = await cargoLockCataloger.catalog(dirTree(work), {});
  assert.deepEqual(r.problems, []);
  assert.equal(truth.length, 3);
  assert.deepEqual(r.packages.map((p) => p.purl).sort(), truth);
});

// cargo-auditable is not packaged for Debian and nothing here can build with it, so its `.dep-v0`
// section (zlib-compressed JSON, auditable-serde's format) is written into a real Debian ELF with
// binutils' objcopy, as the linker would place it.
function withSection(data: Buffer): Buffer {
  const dir = mkdtempSync(path.join(tmpdir(), 'bosun-auditable-'));
  writeFileSync(path.join(dir, 'dep'), data);
  execFileSync('objcopy', ['--add-section', `.dep-v0=${path.join(dir, 'dep')}`, '--set-section-flags', '.dep-v0=noload,readonly', '/usr/bin/true', path.join(dir, 'out')]);
  return readFileSync(path.join(dir, 'out'));
}

const audit = {
  packages: [
    { name: 'tool', version: '0.1.0', source: 'local', dependencies: [1, 2], root: true },
    { name: 'itoa', version: '1.0.1', source: 'crates.io', dependencies: [] },
    { name: 'serde', version: '1.0.152', source: 'crates.io', dependencies: [3], kind: 'runtime' },
    { name: 'serde_derive', version: '1.0.152', source: 'crates.io', kind: 'build' },
  ],
};
const auditCases = [
  { name: 'a binary with dependency data', data: () => deflateSync(JSON.stringify(audit)), want: ['pkg:cargo/itoa@1.0.1', 'pkg:cargo/serde@1.0.152', 'pkg:cargo/serde_derive@1.0.152'], edges: 1, codes: [] },
  { name: 'not zlib', data: () => Buffer.from('{"packages":[]}'), want: [], edges: 0, codes: ['SBOM_FILE_INVALID'] },
  { name: 'zlib bomb', data: () => deflateSync(Buffer.alloc(20 << 20, 0x20)), want: [], edges: 0, codes: ['LIMIT_EXCEEDED'] },
  { name: 'JSON of another shape', data: () => deflateSync('{"packages":[{"name":"x"}]}'), want: [], edges: 0, codes: ['SBOM_FILE_INVALID'] },
  { name: 'dependency index out of range', data: () => deflateSync(JSON.stringify({ packages: [{ name: 'a', version: '1.0.0', source: 'crates.io', dependencies: [99] }] })), want: ['pkg:cargo/a@1.0.0'], edges: 0, codes: [] },
] as const;
for (const c of auditCases) {
  test(`cargo-auditable: ${c.name}`, async () => {
    const r = await cargoAuditableCataloger.catalog(dirTree(writeTree({ 'usr/local/bin/tool': withSection(c.data()), 'usr/local/bin/plain': readFileSync('/usr/bin/true') })), {});
    assert.deepEqual(r.packages.map((p) => p.purl).sort(), c.want);
    assert.equal(r.relationships?.length, c.edges);
    assert.deepEqual(r.problems.map((p) => [p.path, p.code]), c.codes.map((code) => ['/usr/local/bin/tool', code]));
  });
}
