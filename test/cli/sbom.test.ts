// `bosun sbom` end to end through bin/bosun.js on the sample image (real debs and npm packages):
// OCI layout, docker-archive (also on stdin), Debian's docker-registry on loopback, a directory;
// outputs validated against the official schemas; the layer cache warm, corrupt and shared.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as remote from '../../src/oci/remote/index.js';
import { buildSampleImage, sampleRepoTag } from '../../scripts/lib/sample-image.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { cycloneDxValidator, spdxValidator } from '../helpers/sbom-schemas.js';
import { tempDir } from '../helpers/temp-dir.js';
import { ok, runBosun, type Run } from '../helpers/bosun-cli.js';

const epoch = '1700000000';

const bosun = (args: string[], opts: { stdin?: Buffer; cacheDir: string }): Promise<Run> =>
  runBosun(args, { stdin: opts.stdin, env: { SOURCE_DATE_EPOCH: epoch, BOSUN_CACHE_DIR: opts.cacheDir } });
type BosunJson = { schemaVersion: number; source: { name: string; digest: string; layers: string[]; repoTags?: string[]; repoDigests?: string[] }; packages: { purl: string; type: string; locations: { path: string; layer?: string }[] }[] };
const doc = (r: Run) => JSON.parse(ok(r).stdout) as BosunJson;
const purls = (d: BosunJson) => d.packages.map((p) => p.purl);

let dir: string;
let layoutRef: string;
let archivePath: string;
let registry: TestRegistry;
let digest: string;
const sample = buildSampleImage({ dir: process.env.BOSUN_SAMPLE_DIR });
before(async () => {
  dir = await tempDir('cli-sbom');
  const s = await sample;
  layoutRef = `oci:${s.layoutDir}:sample`;
  archivePath = s.archivePath;
  digest = await s.image.digest();
  registry = await startRegistry({ mode: 'http' });
  await remote.write(`${registry.host}/team/sample:1.0`, s.image, { insecure: true });
});
after(async () => {
  await registry?.stop();
  await remote.closeConnections();
});

test('sbom: OCI layout, docker-archive, stdin and registry give the same packages, each source described', { timeout: 300_000 }, async () => {
  const cacheDir = join(dir, 'c1');
  const fromLayout = doc(await bosun(['sbom', layoutRef, '-o', 'bosun-json', '-q'], { cacheDir }));
  assert.equal(fromLayout.schemaVersion, 1);
  assert.equal(fromLayout.source.digest, digest);
  assert.ok(fromLayout.packages.some((p) => p.type === 'deb') && fromLayout.packages.some((p) => p.type === 'npm'));
  const fromArchive = doc(await bosun(['sbom', `docker-archive:${archivePath}`, '-o', 'bosun-json', '--no-layer-cache'], { cacheDir }));
  assert.deepEqual(fromArchive.source.repoTags, [sampleRepoTag]);
  const fromStdin = doc(await bosun(['sbom', '--input', '-', '-o', 'bosun-json'], { cacheDir, stdin: await readFile(archivePath) }));
  const ref = `${registry.host}/team/sample:1.0`;
  const fromRegistry = doc(await bosun(['sbom', ref, '--insecure', '-o', 'bosun-json'], { cacheDir }));
  assert.deepEqual(fromRegistry.source.repoTags, [ref]);
  assert.deepEqual(fromRegistry.source.repoDigests, [`${registry.host}/team/sample@${digest}`]);
  for (const d of [fromArchive, fromStdin, fromRegistry]) {
    assert.deepEqual(purls(d), purls(fromLayout));
    assert.deepEqual(d.source.layers, fromLayout.source.layers);
    assert.deepEqual(d.packages.map((p) => p.locations), fromLayout.packages.map((p) => p.locations));
  }
});

test('sbom: -o FORMAT=FILE writes SPDX and CycloneDX that validate against the official schemas, byte-identical on a rerun', { timeout: 300_000 }, async () => {
  const cacheDir = join(dir, 'c2');
  const files = (n: string) => ['-o', `spdx-json=${join(dir, `${n}.spdx.json`)}`, '-o', `cyclonedx-json=${join(dir, `${n}.cdx.json`)}`];
  const r = ok(await bosun(['sbom', layoutRef, ...files('a'), '--no-layer-cache'], { cacheDir }));
  assert.equal(r.stdout, '');
  ok(await bosun(['sbom', layoutRef, ...files('b')], { cacheDir }));
  for (const ext of ['spdx.json', 'cdx.json']) assert.equal(await readFile(join(dir, `a.${ext}`), 'utf8'), await readFile(join(dir, `b.${ext}`), 'utf8'));
  const spdx = JSON.parse(await readFile(join(dir, 'a.spdx.json'), 'utf8')) as { packages: unknown[]; creationInfo: { created: string } };
  assert.deepEqual(spdxValidator()(spdx), []);
  assert.equal(spdx.creationInfo.created, '2023-11-14T22:13:20Z');
  assert.deepEqual(cycloneDxValidator()(JSON.parse(await readFile(join(dir, 'a.cdx.json'), 'utf8'))), []);
  assert.ok(spdx.packages.length > 20);
  assert.deepEqual((await readdir(dir)).filter((f) => f.endsWith('.tmp')), []);
});

test('sbom: a warm run reads no layer (blobs deleted from a copied layout) and matches the cold run', { timeout: 300_000 }, async () => {
  const cacheDir = join(dir, 'c3');
  const copy = join(dir, 'layout-copy');
  await cp((await sample).layoutDir, copy, { recursive: true });
  const cold = await bosun(['sbom', `oci:${copy}:sample`, '-o', 'bosun-json'], { cacheDir });
  assert.match(cold.stderr, /0\/3 layers from the layer cache/);
  for (const l of (await (await sample).image.manifest()).layers) await rm(join(copy, 'blobs', 'sha256', l.digest.slice(7)));
  const warm = await bosun(['sbom', `oci:${copy}:sample`, '-o', 'bosun-json'], { cacheDir });
  assert.match(warm.stderr, /3\/3 layers from the layer cache/);
  assert.equal(ok(warm).stdout, ok(cold).stdout);
  const noCache = await bosun(['sbom', `oci:${copy}:sample`, '--no-layer-cache'], { cacheDir });
  assert.equal(noCache.status, 2);
});

test('sbom: a corrupt cache record is rebuilt; `bosun clean` removes the layer cache', { timeout: 300_000 }, async () => {
  const cacheDir = join(dir, 'c4');
  const want = ok(await bosun(['sbom', layoutRef, '-o', 'bosun-json'], { cacheDir })).stdout;
  const layersDir = join(cacheDir, 'layers');
  for (const f of await readdir(layersDir)) await writeFile(join(layersDir, f), 'not a record');
  const rebuilt = await bosun(['sbom', layoutRef, '-o', 'bosun-json'], { cacheDir });
  assert.match(rebuilt.stderr, /0\/3 layers from the layer cache/);
  assert.equal(ok(rebuilt).stdout, want);
  assert.match((await bosun(['sbom', layoutRef, '-o', 'bosun-json'], { cacheDir })).stderr, /3\/3 layers/);
  ok(await bosun(['clean'], { cacheDir }));
  await assert.rejects(readdir(layersDir), { code: 'ENOENT' });
});

test('sbom: two processes sharing a cold cache both succeed and leave a cache a third run uses', { timeout: 300_000 }, async () => {
  const cacheDir = join(dir, 'c5');
  const [a, b] = await Promise.all([0, 1].map(() => bosun(['sbom', layoutRef, '-o', 'bosun-json'], { cacheDir })));
  assert.equal(ok(a!).stdout, ok(b!).stdout);
  const third = await bosun(['sbom', layoutRef, '-o', 'bosun-json'], { cacheDir });
  assert.match(third.stderr, /3\/3 layers from the layer cache/);
  assert.equal(ok(third).stdout, a!.stdout);
  assert.deepEqual((await readdir(join(cacheDir, 'layers'))).filter((f) => f.startsWith('.tmp')), []);
});

test('sbom: dir:PATH and a plain directory are cataloged as a rootfs', async () => {
  const { npmDir } = await sample;
  const cacheDir = join(dir, 'c6');
  const viaPrefix = doc(await bosun(['sbom', `dir:${npmDir}`, '-o', 'bosun-json'], { cacheDir }));
  const plain = doc(await bosun(['sbom', npmDir, '-o', 'bosun-json'], { cacheDir }));
  assert.ok(viaPrefix.packages.some((p) => p.purl === 'pkg:npm/lodash@4.17.20'));
  assert.deepEqual(purls(plain), purls(viaPrefix));
  assert.ok(plain.packages.every((p) => p.locations.every((l) => l.layer === undefined)));
});

const badArgs = [
  { name: 'an unknown format', args: ['-o', 'table'], code: 'SBOM_FORMAT_UNKNOWN' },
  { name: 'two outputs on stdout', args: ['-o', 'spdx-json', '-o', 'cyclonedx-json'], code: 'INPUT_INVALID' },
  { name: 'an empty file name', args: ['-o', 'spdx-json='], code: 'INPUT_INVALID' },
] as const;
for (const c of badArgs) {
  test(`sbom: ${c.name} fails with ${c.code} before reading the image`, async () => {
    const r = await bosun(['sbom', 'oci:/nonexistent:x', ...c.args], { cacheDir: join(dir, 'c7') });
    assert.equal(r.status, 2);
    assert.match(r.stderr, new RegExp(`bosun: ${c.code}:`));
  });
}
