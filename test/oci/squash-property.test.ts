import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { BosunError } from '../../src/errors.js';
import { squash } from '../../src/oci/squash.js';
import { tarOf, type LayerEntry } from '../../src/oci/image-builder.js';
import { imageFixture, text } from '../helpers/oci-image.js';

type Op = { kind: 'file'; path: string; content: string } | { kind: 'dir'; path: string } | { kind: 'whiteout'; path: string } | { kind: 'opaque'; path: string };
type Files = Map<string, { content: string; layer: number }>;

const seg = fc.constantFrom('a', 'b', 'c');
const path = (min: number) => fc.array(seg, { minLength: min, maxLength: 3 }).map((p) => p.join('/'));
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('file' as const), path: path(1), content: fc.constantFrom('1', '2') }),
  fc.record({ kind: fc.constant('dir' as const), path: path(1) }),
  fc.record({ kind: fc.constant('whiteout' as const), path: path(1) }),
  fc.record({ kind: fc.constant('opaque' as const), path: path(0) }),
);
const under = (p: string, anc: string) => anc === '' || p.startsWith(anc + '/');

// A layer a real builder could write: each path written once, no file that is also a parent.
function validLayer(ops: Op[]): Op[] {
  const written = new Map<string, Op>();
  for (const o of ops) if ((o.kind === 'file' || o.kind === 'dir') && !written.has(o.path)) written.set(o.path, o);
  const paths = [...written.keys()];
  const isParentFile = (o: Op) => o.kind === 'file' && paths.some((p) => under(p, o.path));
  return ops.filter((o) => (o.kind === 'file' || o.kind === 'dir' ? written.get(o.path) === o && !isParentFile(o) : true));
}

function toTarEntries(ops: Op[], layer: number): LayerEntry[] {
  const wh = (dir: string, name: string) => (dir ? `${dir}/${name}` : name);
  return ops.map((o) => {
    const dir = o.path.split('/').slice(0, -1).join('/');
    const base = o.path.split('/').at(-1)!;
    if (o.kind === 'file') return { path: o.path, content: `${layer}:${o.path}:${o.content}` };
    if (o.kind === 'dir') return { path: o.path + '/', type: 'dir' };
    if (o.kind === 'whiteout') return { path: wh(dir, '.wh.' + base), content: '' };
    return { path: wh(o.path, '.wh..wh..opq'), content: '' };
  });
}

// The naive reference: per layer, first delete what whiteouts and opaque markers hide in the
// lower layers, then write the layer's entries (spec: image-spec layer.md, changesets).
function reference(layers: Op[][]): Files {
  const files: Files = new Map();
  const drop = (pred: (p: string) => boolean) => [...files.keys()].filter(pred).forEach((p) => files.delete(p));
  layers.forEach((ops, i) => {
    for (const o of ops) {
      if (o.kind === 'whiteout') drop((p) => p === o.path || under(p, o.path));
      if (o.kind === 'opaque') drop((p) => under(p, o.path));
    }
    for (const o of ops) {
      if (o.kind !== 'file' && o.kind !== 'dir') continue;
      drop((p) => under(o.path, p)); // a file in the way of a parent becomes a directory
      if (o.kind === 'file') {
        drop((p) => under(p, o.path));
        files.set(o.path, { content: `${i}:${o.path}:${o.content}`, layer: i });
      } else files.delete(o.path);
    }
  });
  return files;
}

test('property: squash agrees with the naive reference on random layer stacks', async () => {
  const stack = fc.array(fc.array(op, { maxLength: 8 }).map(validLayer), { minLength: 1, maxLength: 4 });
  await fc.assert(
    fc.asyncProperty(stack, async (layers) => {
      const { image, diffIds } = await imageFixture(await Promise.all(layers.map((ops, i) => tarOf(toTarEntries(ops, i)))), { compression: 'none' });
      const tree = await squash(image, ['**']);
      const got: Files = new Map();
      for await (const e of tree.glob(['**'])) got.set(e.path.slice(1), { content: await text(await tree.open(e)), layer: diffIds.indexOf(e.layer!) });
      await tree.close();
      assert.deepEqual(got, reference(layers));
    }),
    { numRuns: 100 },
  );
});

test('property: corrupted layers fail only with a BosunError, never hang', async () => {
  const good = await tarOf([{ path: 'etc/', type: 'dir' }, { path: 'etc/a', content: 'x'.repeat(700) }, { path: 'l', linkTarget: 'etc/a' }, { path: 'etc/.wh.b', content: '' }]);
  const mutation = fc.record({ at: fc.nat({ max: good.length - 1 }), byte: fc.nat({ max: 255 }), cut: fc.nat({ max: good.length }) });
  await fc.assert(
    fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (ms) => {
      const bad = Buffer.from(good);
      for (const m of ms) bad[m.at] = m.byte;
      const { image } = await imageFixture([bad.subarray(0, ms[0]!.cut)], { compression: 'none' });
      try {
        await (await squash(image, ['**'])).close();
      } catch (err) {
        assert.ok(err instanceof BosunError, String(err));
      }
    }),
    { numRuns: 60 },
  );
});

// Random trees of files, directories and relative symlinks (never climbing above the root, so
// the kernel's answer is the chroot answer) are written both as a layer and to a real directory;
// `stat` must resolve every path where the kernel's realpath(3) does.
const names = ['a', 'b', 'l0', 'l1', 'l2'];
const linkTree = fc.record({
  files: fc.uniqueArray(fc.array(fc.constantFrom('a', 'b'), { minLength: 1, maxLength: 3 }), { maxLength: 6, selector: (p) => p.join('/') }),
  links: fc.array(fc.record({ dir: fc.nat(6), ups: fc.nat(3), to: fc.array(fc.constantFrom(...names), { maxLength: 3 }) }), { maxLength: 3 }),
  queries: fc.array(fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 8 }),
});

test('property: squash stat resolves symlinks as the kernel does (relative links)', async () => {
  await fc.assert(
    fc.asyncProperty(linkTree, async ({ files, links, queries }) => {
      const fileSet = files.filter((p) => !files.some((q) => q.length > p.length && q.slice(0, p.length).join('/') === p.join('/')));
      const dirs = ['', ...new Set(fileSet.flatMap((p) => p.slice(0, -1).map((_, i) => p.slice(0, i + 1).join('/'))))];
      const used = new Set([...fileSet.map((p) => p.join('/')), ...dirs]);
      const entries: LayerEntry[] = fileSet.map((p) => ({ path: p.join('/'), content: p.join('/') }));
      links.forEach((l, i) => {
        const dir = dirs[l.dir % dirs.length]!;
        const path = dir ? `${dir}/l${i}` : `l${i}`;
        const depth = dir ? dir.split('/').length : 0;
        const target = [...Array(Math.min(l.ups, depth)).fill('..'), ...l.to].join('/') || '.';
        if (!used.has(path)) entries.push({ path, linkTarget: target });
      });
      const root = await mkdtemp(join(tmpdir(), 'bosun-prop-'));
      try {
        for (const e of entries) {
          await mkdir(dirname(join(root, e.path)), { recursive: true });
          if (e.linkTarget !== undefined) await symlink(e.linkTarget, join(root, e.path));
          else await writeFile(join(root, e.path), e.content ?? '');
        }
        const { image } = await imageFixture([await tarOf(entries)], { compression: 'none' });
        const tree = await squash(image, ['**']);
        for (const q of queries) {
          const kernel = await realpath(join(root, ...q)).then((r) => '/' + relative(root, r), () => undefined);
          assert.equal((await tree.stat(q.join('/')))?.path, kernel, q.join('/'));
        }
        await tree.close();
      } finally {
        await rm(root, { recursive: true });
      }
    }),
    { numRuns: 60 },
  );
});
