import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { isBosunError, type ErrorCode } from '../../src/errors.js';
import { squash, type SquashLimits } from '../../src/oci/squash.js';
import { tarOf, type AddLayerOptions, type LayerEntry } from '../../src/oci/image-builder.js';
import { imageFixture, text } from '../helpers/oci-image.js';

const f = (path: string, content = path): LayerEntry => ({ path, content });
const base: LayerEntry[] = [f('etc/passwd', 'root'), f('a/x', 'x'), { path: 'dir/', type: 'dir' }];
const long = (n: number) => 'd/'.repeat(n / 2);

async function listTree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

// Entries that are skipped (and recorded) while the rest of the image reads normally.
const skipped: Array<{ name: string; entry: LayerEntry; code: ErrorCode }> = [
  { name: 'entry climbing above the root', entry: f('../../etc/passwd', 'pwned'), code: 'OCI_PATH_UNSAFE' },
  { name: 'entry climbing above the root mid-path', entry: f('a/../../etc/passwd', 'pwned'), code: 'OCI_PATH_UNSAFE' },
  { name: 'whiteout of ".."', entry: f('a/.wh...'), code: 'OCI_PATH_UNSAFE' },
  { name: 'whiteout of "."', entry: f('a/.wh..'), code: 'OCI_PATH_UNSAFE' },
  { name: 'whiteout of an empty name', entry: f('a/.wh.'), code: 'OCI_PATH_UNSAFE' },
  { name: 'hard link outside the root', entry: { path: 'a/y', type: 'hardlink', linkTarget: '../../etc/shadow' }, code: 'OCI_PATH_UNSAFE' },
  { name: 'hard link to a directory', entry: { path: 'a/y', type: 'hardlink', linkTarget: 'dir' }, code: 'OCI_PATH_UNSAFE' },
  { name: 'hard link to a missing file', entry: { path: 'a/y', type: 'hardlink', linkTarget: 'nope' }, code: 'OCI_FILE_NOT_CAPTURED' },
  { name: 'path over 4096 bytes', entry: f(long(5000) + 'x'), code: 'OCI_PATH_UNSAFE' },
  { name: 'component over 255 bytes', entry: f('a/' + 'n'.repeat(300)), code: 'OCI_PATH_UNSAFE' },
  { name: 'symlink target over 4096 bytes', entry: { path: 'a/s', linkTarget: long(5000) }, code: 'OCI_PATH_UNSAFE' },
];
for (const c of skipped) {
  test(`squash skips hostile entry: ${c.name}`, async () => {
    const spill = await mkdtemp(join(tmpdir(), 'bosun-test-'));
    const { image } = await imageFixture([await tarOf(base), await tarOf([c.entry])]);
    const tree = await squash(image, ['**'], { tmpDir: spill, limits: { memoryFileBytes: 0 } });
    try {
      assert.deepEqual(tree.problems.map((p) => p.code), [c.code]);
      assert.equal(await text(await tree.open((await tree.stat('/etc/passwd'))!)), 'root');
      assert.equal((await tree.stat('/a/x'))?.path, '/a/x');
      // Content lives only in the private spill dir, under counter names.
      assert.ok((await listTree(spill)).every((p) => /^bosun-squash-\w+(\/\d+)?$/.test(p)));
    } finally {
      await tree.close();
      await rm(spill, { recursive: true });
    }
  });
}

test('squash: a hard link to a missing file is listed but cannot be opened', async () => {
  const { image } = await imageFixture([await tarOf([{ path: 'a/y', type: 'hardlink', linkTarget: 'a/gone' }])]);
  const tree = await squash(image, ['**']);
  const e = await tree.stat('/a/y');
  assert.equal(e?.kind, 'hardlink');
  await assert.rejects(tree.open(e!), (err) => isBosunError(err, 'OCI_FILE_NOT_CAPTURED'));
  await tree.close();
});

test('squash: a path grown past 4096 bytes through symlinked parents is skipped', async () => {
  const deep = 'd/'.repeat(1500);
  const { image } = await imageFixture([await tarOf([{ path: 'l', linkTarget: deep }, { path: 'm', linkTarget: `/l/${deep}` }]), await tarOf([f('m/x')])]);
  const tree = await squash(image, ['**']);
  assert.deepEqual(tree.problems.map((p) => p.code), ['OCI_PATH_UNSAFE']);
  await tree.close();
});

test('squash: an entry below a symlink loop is skipped with OCI_SYMLINK_LOOP', async () => {
  const { image } = await imageFixture([await tarOf([{ path: 'a', linkTarget: 'b' }, { path: 'b', linkTarget: 'a' }]), await tarOf([f('a/x')])]);
  const tree = await squash(image, ['**']);
  assert.deepEqual(tree.problems.map((p) => p.code), ['OCI_SYMLINK_LOOP']);
  await tree.close();
});

const truncatedTar = async () => (await tarOf([f('a', 'x'.repeat(4000))])).subarray(0, 2048);
const zeros = Buffer.alloc(8 * 1024 * 1024);
const zstd = (b: Buffer) => execFileSync('zstd', ['-q', '-c'], { input: b, maxBuffer: 1 << 26 });
const bombLimits = { maxBytes: 1024 * 1024, maxRatio: 1e9, ratioFloorBytes: 0 };
interface Failing {
  name: string;
  layers: () => Promise<{ tars: Buffer[]; blobs?: Buffer[] }>;
  compression?: AddLayerOptions['compression'];
  limits?: Partial<SquashLimits>;
  decompress?: typeof bombLimits;
  code: ErrorCode;
}
const failing: Failing[] = [
  { name: 'layer truncated mid-entry', layers: async () => ({ tars: [await truncatedTar()] }), compression: 'none', code: 'OCI_LAYER_INVALID' },
  { name: 'layer truncated mid-entry, gzip', layers: async () => ({ tars: [await truncatedTar()] }), code: 'OCI_LAYER_INVALID' },
  { name: 'layer that is not a tar', layers: async () => ({ tars: [Buffer.alloc(1024, 'garbage')] }), code: 'OCI_LAYER_INVALID' },
  { name: 'truncated gzip stream', layers: async () => ({ tars: [await tarOf(base)], blobs: [gzipSync(await tarOf(base)).subarray(0, 100)] }), code: 'OCI_LAYER_INVALID' },
  { name: 'layer not matching its diffID', layers: async () => ({ tars: [await tarOf(base)], blobs: [gzipSync(await tarOf([f('other')]))] }), code: 'OCI_DIGEST_MISMATCH' },
  { name: 'gzip bomb', layers: async () => ({ tars: [zeros], blobs: [gzipSync(zeros)] }), decompress: bombLimits, code: 'LIMIT_EXCEEDED' },
  { name: 'zstd bomb', layers: async () => ({ tars: [zeros], blobs: [zstd(zeros)] }), compression: 'zstd', decompress: bombLimits, code: 'LIMIT_EXCEEDED' },
  { name: 'more tar entries than the cap', layers: async () => ({ tars: [await tarOf(Array.from({ length: 300 }, (_, i) => f(`f${i}`)))] }), limits: { maxEntries: 200 }, code: 'LIMIT_EXCEEDED' },
  { name: 'more tracked paths than the cap', layers: async () => ({ tars: [await tarOf(Array.from({ length: 300 }, (_, i) => ({ path: `d${i}/`, type: 'dir' as const })))] }), limits: { maxNodes: 100 }, code: 'LIMIT_EXCEEDED' },
];
for (const c of failing) {
  test(`squash fails with ${c.code}: ${c.name}`, async () => {
    const spill = await mkdtemp(join(tmpdir(), 'bosun-test-'));
    const { tars, blobs } = await c.layers();
    const { image } = await imageFixture(tars, { compression: c.compression, blobs, read: c.decompress && { decompressLimits: c.decompress } });
    await assert.rejects(squash(image, ['**'], { tmpDir: spill, limits: { memoryFileBytes: 0, ...c.limits } }), (e) => isBosunError(e, c.code));
    assert.deepEqual(await listTree(spill), [], 'spilled content is deleted on failure');
    await rm(spill, { recursive: true });
  });
}

test('squash: aborting stops the read with ABORTED', async () => {
  const { image } = await imageFixture([await tarOf(base)]);
  await assert.rejects(squash(image, ['**'], { signal: AbortSignal.abort() }), (e) => isBosunError(e, 'ABORTED'));
});
