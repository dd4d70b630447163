import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isBosunError } from '../../src/errors.js';
import { squash, type SquashLimits } from '../../src/oci/squash.js';
import { tarOf } from '../../src/oci/image-builder.js';
import { imageFixture, text } from '../helpers/oci-image.js';

const files = (sizes: number[]) => tarOf(sizes.map((n, i) => ({ path: `f/${i}`, content: String(i).repeat(n) })));

async function spilledFiles(spill: string): Promise<number> {
  const dirs = await readdir(spill);
  const inner = await Promise.all(dirs.map((d) => readdir(join(spill, d))));
  return inner.flat().length;
}

const cases: Array<{ name: string; sizes: number[]; limits: Partial<SquashLimits>; spilled: number; tooLarge: number[] }> = [
  { name: 'small files stay in memory', sizes: [5, 100], limits: {}, spilled: 0, tooLarge: [] },
  { name: 'a file over the memory threshold spills', sizes: [5, 100], limits: { memoryFileBytes: 10 }, spilled: 1, tooLarge: [] },
  { name: 'memory budget spent: later files spill', sizes: [100, 100, 100], limits: { memoryTotalBytes: 150 }, spilled: 2, tooLarge: [] },
  { name: 'a file over the per-file cap is not captured', sizes: [2000, 10], limits: { maxFileBytes: 1000 }, spilled: 0, tooLarge: [0] },
  { name: 'the total cap stops capture', sizes: [600, 600, 600], limits: { maxTotalBytes: 1000 }, spilled: 0, tooLarge: [1, 2] },
];
for (const c of cases) {
  test(`squash capture: ${c.name}`, async () => {
    const spill = await mkdtemp(join(tmpdir(), 'bosun-test-'));
    const { image, diffIds } = await imageFixture([await files(c.sizes)]);
    const tree = await squash(image, ['f/*'], { tmpDir: spill, limits: c.limits });
    assert.equal(await spilledFiles(spill), c.spilled);
    const seen: string[] = [];
    for await (const e of tree.glob(['**'])) {
      const i = Number(e.path.slice(3));
      seen.push(e.path);
      assert.equal(e.size, c.sizes[i]);
      if (c.tooLarge.includes(i)) await assert.rejects(tree.open(e), (err) => isBosunError(err, 'LIMIT_EXCEEDED'));
      else assert.equal(await text(await tree.open(e)), String(i).repeat(c.sizes[i]!));
    }
    assert.equal(seen.length, c.sizes.length, 'files over a cap are still listed');
    assert.deepEqual(tree.problems.map((p) => [p.code, p.path, p.layer]), c.tooLarge.map((i) => ['LIMIT_EXCEEDED', `/f/${i}`, diffIds[0]]));
    await tree.close();
    assert.deepEqual(await readdir(spill), [], 'close deletes spilled content');
    await rm(spill, { recursive: true });
  });
}

test('squash tree: await using closes it, and open fails afterwards', async () => {
  const spill = await mkdtemp(join(tmpdir(), 'bosun-test-'));
  const { image } = await imageFixture([await files([50])]);
  let entry;
  let closed;
  {
    await using tree = await squash(image, ['**'], { tmpDir: spill, limits: { memoryFileBytes: 0 } });
    entry = (await tree.stat('/f/0'))!;
    closed = tree;
    assert.equal(await spilledFiles(spill), 1);
  }
  assert.deepEqual(await readdir(spill), []);
  await assert.rejects(closed.open(entry), (err) => isBosunError(err, 'IO_FAILED'));
  await rm(spill, { recursive: true });
});

test('squash tree: opening a path that matched no glob fails with OCI_FILE_NOT_CAPTURED', async () => {
  const { image } = await imageFixture([await files([5, 5])]);
  const tree = await squash(image, ['f/0']);
  await assert.rejects(tree.open({ path: '/f/1', kind: 'file', size: 5, mode: 0o644 }), (err) => isBosunError(err, 'OCI_FILE_NOT_CAPTURED'));
  assert.equal(await tree.stat('/f/1'), undefined);
  await tree.close();
});

test('squash tracks directories and matches only: 5,000 unmatched files cost no paths', async () => {
  const entries = Array.from({ length: 5_000 }, (_, i) => ({ path: `usr/share/d${i % 50}/f${i}`, content: 'x' }));
  const { image } = await imageFixture([await tarOf(entries), await tarOf([{ path: 'usr/share/d1/keep', content: 'k' }])]);
  const tree = await squash(image, ['**/keep']);
  // root + usr + share + 50 directories + the one captured file
  assert.deepEqual(tree.stats, { entries: 5_001, trackedPaths: 1 + 2 + 50 + 1 });
  await tree.close();
});

for (const compression of ['gzip', 'zstd', 'none'] as const) {
  test(`squash reads ${compression} layers`, async () => {
    const { image, diffIds } = await imageFixture([await files([3]), await tarOf([{ path: 'f/1', content: 'second' }])], { compression });
    const tree = await squash(image, ['f/*']);
    const got = [];
    for await (const e of tree.glob(['**'])) got.push([e.path, await text(await tree.open(e)), e.layer]);
    assert.deepEqual(got, [['/f/0', '000', diffIds[0]], ['/f/1', 'second', diffIds[1]]]);
    await tree.close();
  });
}
