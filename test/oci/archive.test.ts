import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { isBosunError } from '../../src/errors.js';
import * as archive from '../../src/oci/archive.js';
import { digestOf, hexOf } from '../../src/oci/digest.js';
import { buildIndex, ImageBuilder, tarOf } from '../../src/oci/image-builder.js';
import * as layout from '../../src/oci/layout.js';
import { snapshot, twoLayerImage } from '../helpers/oci-image.js';
import { tempDir } from '../helpers/temp-dir.js';

const run = (cmd: string, args: string[], opts: { cwd?: string; input?: Buffer } = {}) =>
  execFileSync(cmd, args, { cwd: opts.cwd, input: opts.input, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
const plainOf = async (img: Awaited<ReturnType<typeof twoLayerImage>>) => (await snapshot(img)).layers.map((l) => [l.diffId, l.plain]);

test('archive round trip: same config and layers, manifest byte-equal to skopeo\'s', async () => {
  const dir = await tempDir('archive');
  const img = await twoLayerImage();
  const file = join(dir, 'a.tar');
  await archive.write(file, img, { tags: ['example/app:1.0'] });
  const back = await archive.image(file, { ref: 'example/app:1.0' });
  assert.deepEqual(await plainOf(back), await plainOf(img));
  assert.equal(Buffer.from(await back.rawConfig()).toString(), Buffer.from(await img.rawConfig()).toString());
  const skopeoRaw = run('skopeo', ['inspect', '--raw', `docker-archive:${file}`]);
  assert.equal(Buffer.from(await back.rawManifest()).toString(), skopeoRaw);
  assert.equal(await back.digest(), digestOf(skopeoRaw));
  await back.close();
});

test('archive written by skopeo (oci: to docker-archive:) reads with bosun', async () => {
  const dir = await tempDir('archive-skopeo');
  const img = await twoLayerImage();
  await layout.write(join(dir, 'lay'), img, { tag: 'v1' });
  const file = join(dir, 'b.tar');
  run('skopeo', ['copy', '-q', `oci:${join(dir, 'lay')}:v1`, `docker-archive:${file}:repo/app:v1`]);
  const back = await archive.image(file, { ref: 'docker.io/repo/app:v1' });
  assert.deepEqual(await plainOf(back), await plainOf(img));
  assert.equal(await back.digest(), digestOf(run('skopeo', ['inspect', '--raw', `docker-archive:${file}`])));
  await back.close();
});

test('skopeo copies an archive bosun wrote into an OCI layout with the same layers', async () => {
  const dir = await tempDir('archive-to-oci');
  const img = await twoLayerImage();
  await archive.write(join(dir, 'c.tar'), img, { tags: ['app:v1'] });
  run('skopeo', ['copy', '-q', `docker-archive:${join(dir, 'c.tar')}`, `oci:${join(dir, 'out')}:x`]);
  assert.deepEqual(await plainOf(await layout.image(join(dir, 'out'), { tag: 'x' })), await plainOf(img));
});

test('gzipped archive, from a file and from a stream: same image, temp copy removed on close', async () => {
  const dir = await tempDir('archive-gz');
  const tmp = await tempDir('archive-gz-spool');
  const img = await twoLayerImage();
  await archive.write(join(dir, 'a.tar'), img, { tags: ['app:v1'] });
  await writeFile(join(dir, 'a.tar.gz'), gzipSync(await readFile(join(dir, 'a.tar'))));
  const plain = await archive.image(join(dir, 'a.tar'));
  const sources = [join(dir, 'a.tar.gz'), () => createReadStream(join(dir, 'a.tar.gz')), () => createReadStream(join(dir, 'a.tar'))];
  for (const src of sources) {
    const got = await archive.image(src, {}, { tempDir: tmp });
    assert.equal(await got.digest(), await plain.digest());
    assert.deepEqual(await plainOf(got), await plainOf(img));
    assert.equal((await readdir(tmp)).length, 1);
    await got.close();
    assert.deepEqual(await readdir(tmp), []);
  }
});

test('archive read from stdin (--input -) in a child process', async () => {
  const dir = await tempDir('archive-stdin');
  const img = await twoLayerImage();
  await archive.write(join(dir, 'a.tar'), img, { tags: ['app:v1'] });
  const script = `import * as archive from ${JSON.stringify(join(process.cwd(), 'src/oci/archive.ts'))};
    const img = await archive.image(() => process.stdin); process.stdout.write(await img.digest()); await img.close();`;
  const out = run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { input: gzipSync(await readFile(join(dir, 'a.tar'))) });
  assert.equal(out, await (await archive.image(join(dir, 'a.tar'))).digest());
});

test('OCI layout inside a tar: plain layout, and Docker 25+ save with manifest.json', async () => {
  const dir = await tempDir('archive-oci');
  const img = await twoLayerImage();
  const lay = join(dir, 'lay');
  await layout.write(lay, img, { tag: 'v1' });
  run('tar', ['-C', lay, '-cf', join(dir, 'layout.tar'), '.']);
  assert.equal(await (await archive.image(join(dir, 'layout.tar'), { ref: 'v1' })).digest(), await img.digest());
  // Docker 25+ writes both: manifest.json naming blobs, and the OCI index. The real manifest wins.
  const m = await img.manifest();
  const manifestJson = [{ Config: `blobs/sha256/${hexOf(m.config.digest)}`, RepoTags: ['app:v1'], Layers: m.layers.map((l) => `blobs/sha256/${hexOf(l.digest)}`) }];
  await writeFile(join(lay, 'manifest.json'), JSON.stringify(manifestJson));
  run('tar', ['-C', lay, '-cf', join(dir, 'docker25.tar'), '.']);
  const back = await archive.image(join(dir, 'docker25.tar'), { ref: 'app:v1' });
  assert.equal(await back.digest(), await img.digest());
  assert.deepEqual(await plainOf(back), await plainOf(img));
});

test('Docker 25+ save of a multi-platform image: the manifest is found through the index', async () => {
  const dir = await tempDir('archive-oci-index');
  const amd = await twoLayerImage('amd64');
  const arm = await twoLayerImage('arm64');
  const lay = join(dir, 'lay');
  await layout.write(lay, await buildIndex([amd, arm]), { tag: 'v1' });
  const m = await arm.manifest();
  const manifestJson = [{ Config: `blobs/sha256/${hexOf(m.config.digest)}`, RepoTags: ['app:v1'], Layers: m.layers.map((l) => `blobs/sha256/${hexOf(l.digest)}`) }];
  await writeFile(join(lay, 'manifest.json'), JSON.stringify(manifestJson));
  run('tar', ['-C', lay, '-cf', join(dir, 'docker25.tar'), '.']);
  assert.equal(await (await archive.image(join(dir, 'docker25.tar'))).digest(), await arm.digest());
});

test('multi-image archive: ambiguous without a selector, picks by RepoTags or index', async () => {
  const dir = await tempDir('archive-multi');
  const a = await twoLayerImage('amd64');
  const b = await twoLayerImage('arm64');
  await archive.write(join(dir, 'a.tar'), a, { tags: ['a:1'] });
  await archive.write(join(dir, 'b.tar'), b, { tags: ['b:1'] });
  // skopeo appends a second image to an existing docker-archive only via one copy session, so
  // the multi-image archive is assembled from the two single ones.
  const x = join(dir, 'x');
  run('mkdir', [x]);
  run('tar', ['-C', x, '-xf', join(dir, 'a.tar')]);
  const first = JSON.parse(await readFile(join(x, 'manifest.json'), 'utf8')) as unknown[];
  run('tar', ['-C', x, '-xf', join(dir, 'b.tar')]);
  const second = JSON.parse(await readFile(join(x, 'manifest.json'), 'utf8')) as unknown[];
  await writeFile(join(x, 'manifest.json'), JSON.stringify([...first, ...second]));
  run('tar', ['-C', x, '-cf', join(dir, 'multi.tar'), '.']);
  const multi = join(dir, 'multi.tar');
  await assert.rejects(archive.image(multi), (e) => isBosunError(e, 'OCI_SELECTOR_AMBIGUOUS'));
  assert.equal(await (await archive.image(multi, { ref: 'b:1' })).digest(), await (await archive.image(join(dir, 'b.tar'))).digest());
  assert.equal(await (await archive.image(multi, { index: 0 })).digest(), await (await archive.image(join(dir, 'a.tar'))).digest());
  await assert.rejects(archive.image(multi, { ref: 'c:1' }), (e) => isBosunError(e, 'OCI_MANIFEST_UNKNOWN'));
});

// A docker-archive assembled member by member, so each case can break one thing.
async function hostileArchive(edit: (m: { config: Buffer; layers: Buffer[]; manifest: Record<string, unknown>[] }) => { path: string; content?: Buffer | string; linkTarget?: string }[] | void) {
  const img = await new ImageBuilder().addEntries([{ path: 'f', content: 'x'.repeat(3000) }]).build();
  const config = Buffer.from(await img.rawConfig());
  const layers = [await tarOf([{ path: 'f', content: 'x'.repeat(3000) }])];
  const manifest: Record<string, unknown>[] = [{ Config: 'config.json', RepoTags: ['h:1'], Layers: ['layer.tar'] }];
  const extra = edit({ config, layers, manifest }) ?? [];
  return tarOf([
    { path: 'config.json', content: config },
    { path: 'layer.tar', content: layers[0]! },
    ...extra,
    { path: 'manifest.json', content: JSON.stringify(manifest) },
  ]);
}

const hostile = [
  { name: 'a ../ entry in Layers', code: 'OCI_PATH_UNSAFE', edit: (m: { manifest: Record<string, unknown>[] }) => void (m.manifest[0]!.Layers = ['../layer.tar']) },
  { name: 'an absolute path in Layers', code: 'OCI_PATH_UNSAFE', edit: (m: { manifest: Record<string, unknown>[] }) => void (m.manifest[0]!.Layers = ['/etc/passwd']) },
  { name: 'a ../ Config', code: 'OCI_PATH_UNSAFE', edit: (m: { manifest: Record<string, unknown>[] }) => void (m.manifest[0]!.Config = 'a/../../config.json') },
  { name: '100k layers in manifest.json', code: 'LIMIT_EXCEEDED', edit: (m: { manifest: Record<string, unknown>[] }) => void (m.manifest[0]!.Layers = Array.from({ length: 100_000 }, (_, i) => `${i}.tar`)) },
  { name: 'a missing layer member', code: 'OCI_BLOB_UNKNOWN', edit: (m: { manifest: Record<string, unknown>[] }) => void (m.manifest[0]!.Layers = ['nope.tar']) },
  { name: 'a layer member that is a symlink', code: 'OCI_SOURCE_INVALID', edit: (m: { manifest: Record<string, unknown>[] }) => {
    m.manifest[0]!.Layers = ['link.tar'];
    return [{ path: 'link.tar', linkTarget: 'layer.tar' }];
  } },
  { name: 'manifest.json that is not a list', code: 'OCI_SOURCE_INVALID', edit: (m: { manifest: Record<string, unknown>[] }) => void (m.manifest[0] = 'x' as never) },
] as const;
for (const c of hostile) {
  test(`archive refuses ${c.name} (${c.code})`, async () => {
    const dir = await tempDir('archive-hostile');
    await writeFile(join(dir, 'h.tar'), await hostileArchive(c.edit as never));
    await assert.rejects(archive.image(join(dir, 'h.tar')).then(snapshot), (e) => isBosunError(e, c.code));
  });
}

test('archive: a layer whose content does not match its diffID fails with OCI_DIGEST_MISMATCH', async () => {
  const dir = await tempDir('archive-tamper');
  await writeFile(join(dir, 'h.tar'), await hostileArchive((m) => void m.layers[0]!.write('y', 600)));
  await assert.rejects(archive.image(join(dir, 'h.tar')).then(snapshot), (e) => isBosunError(e, 'OCI_DIGEST_MISMATCH'));
});

test('archive: truncated and corrupt tars fail with OCI_SOURCE_INVALID', async () => {
  const dir = await tempDir('archive-trunc');
  const good = await hostileArchive(() => undefined);
  const corrupt = Buffer.from(good);
  corrupt[10] = corrupt[10]! ^ 0x55; // inside the first header's name: the checksum no longer matches
  for (const [name, data] of [['cut.tar', good.subarray(0, 1500)], ['corrupt.tar', corrupt]] as const) {
    await writeFile(join(dir, name), data);
    await assert.rejects(archive.image(join(dir, name)), (e) => isBosunError(e, 'OCI_SOURCE_INVALID'), name);
  }
});

test('archive: a gzip bomb and an oversized stream stop with LIMIT_EXCEEDED and leave no temp files', async () => {
  const dir = await tempDir('archive-bomb');
  const tmp = await tempDir('archive-bomb-spool');
  await writeFile(join(dir, 'bomb.tar.gz'), gzipSync(Buffer.alloc(48 * 1024 * 1024)));
  const lim = { maxBytes: 1e12, maxRatio: 100, ratioFloorBytes: 1024 * 1024 };
  await assert.rejects(archive.image(join(dir, 'bomb.tar.gz'), {}, { decompressLimits: lim, tempDir: tmp }), (e) => isBosunError(e, 'LIMIT_EXCEEDED'));
  await assert.rejects(archive.image(() => createReadStream(join(dir, 'bomb.tar.gz')), {}, { maxBytes: 4096, tempDir: tmp }), (e) => isBosunError(e, 'LIMIT_EXCEEDED'));
  assert.deepEqual(await readdir(tmp), []);
});

test('archive write refuses a malformed tag', async () => {
  const dir = await tempDir('archive-tag');
  await assert.rejects(archive.write(join(dir, 'x.tar'), await twoLayerImage(), { tags: ['Bad Tag'] }), (e) => isBosunError(e, 'INPUT_INVALID'));
});
