import { test } from 'node:test';
import assert from 'node:assert/strict';
import { squash } from '../../src/oci/squash.js';
import type { FileEntry } from '../../src/oci/types.js';
import type { LayerEntry } from '../../src/oci/image-builder.js';
import { imageFixture, text } from '../helpers/oci-image.js';

const f = (path: string, content = path): LayerEntry => ({ path, content });
const d = (path: string): LayerEntry => ({ path: path.endsWith('/') ? path : path + '/', type: 'dir' });
const wh = (path: string): LayerEntry => ({ path, content: '' });
const ln = (path: string, target: string): LayerEntry => ({ path, type: 'hardlink', linkTarget: target });
const sl = (path: string, target: string): LayerEntry => ({ path, linkTarget: target });

async function squashed(layers: LayerEntry[][], globs: string[] = ['**']) {
  const { image, diffIds } = await imageFixture(layers);
  return { tree: await squash(image, globs), diffIds };
}

// want: path → [content, layer index] of every captured file, in glob order.
const cases: Array<{ name: string; layers: LayerEntry[][]; globs?: string[]; want: Record<string, [string, number]> }> = [
  { name: 'upper file replaces lower and reports the upper layer', layers: [[f('etc/a', '1')], [f('etc/a', '2')]], want: { '/etc/a': ['2', 1] } },
  { name: 'whiteout deletes a lower file', layers: [[f('a/x'), f('a/y')], [wh('a/.wh.x')]], want: { '/a/y': ['a/y', 0] } },
  { name: 'whiteout deletes a lower directory subtree', layers: [[f('a/b/c'), f('a/d')], [wh('a/.wh.b')]], want: { '/a/d': ['a/d', 0] } },
  { name: 'opaque marker first hides lower children', layers: [[f('d/x'), f('d/sub/y')], [d('d'), wh('d/.wh..wh..opq'), f('d/z')]], want: { '/d/z': ['d/z', 1] } },
  { name: 'opaque marker last keeps same-layer children', layers: [[f('d/x')], [d('d'), f('d/z'), wh('d/.wh..wh..opq')]], want: { '/d/z': ['d/z', 1] } },
  { name: 'opaque prunes lower files inside same-layer subdirs', layers: [[f('d/sub/x')], [f('d/sub/y'), wh('d/.wh..wh..opq')]], want: { '/d/sub/y': ['d/sub/y', 1] } },
  { name: 'whiteout does not hide a same-layer file', layers: [[f('a/x', '1')], [f('a/x', '2'), wh('a/.wh.x')]], want: { '/a/x': ['2', 1] } },
  { name: 'whiteout of a dir keeps what its own layer wrote inside', layers: [[f('a/b/old')], [f('a/b/new'), wh('a/.wh.b')]], want: { '/a/b/new': ['a/b/new', 1] } },
  { name: 'whiteout then re-create', layers: [[f('a/x', '1')], [wh('a/.wh.x')], [f('a/x', '3')]], want: { '/a/x': ['3', 2] } },
  { name: 'whiteout of a missing name is a no-op', layers: [[f('a/x')], [wh('a/.wh.nope'), wh('nodir/.wh.x')]], want: { '/a/x': ['a/x', 0] } },
  { name: 'file replaces a directory', layers: [[f('a/b/c')], [f('a/b', 'file')]], want: { '/a/b': ['file', 1] } },
  { name: 'directory replaces a file', layers: [[f('a/b', 'file')], [d('a/b'), f('a/b/c')]], want: { '/a/b/c': ['a/b/c', 1] } },
  { name: 'unmatched upper file still replaces a captured lower one', layers: [[f('lib/a.jar')], [f('lib/a.jar/x')]], globs: ['**/*.jar'], want: {} },
  { name: 'globs select files', layers: [[f('lib/a.jar'), f('lib/a.txt'), f('.hidden/b.jar')]], globs: ['**/*.jar'], want: { '/.hidden/b.jar': ['.hidden/b.jar', 0], '/lib/a.jar': ['lib/a.jar', 0] } },
  { name: 'names are normalised', layers: [[f('./etc/a'), f('/etc/b'), f('etc/x/../c')]], want: { '/etc/a': ['./etc/a', 0], '/etc/b': ['/etc/b', 0], '/etc/c': ['etc/x/../c', 0] } },
  { name: 'hard link in the same layer', layers: [[f('bin/perl', 'P'), ln('bin/perl5', 'bin/perl')]], want: { '/bin/perl': ['P', 0], '/bin/perl5': ['P', 0] } },
  { name: 'hard link to a lower-layer file', layers: [[f('bin/x', 'X')], [ln('bin/y', 'bin/x')]], want: { '/bin/x': ['X', 0], '/bin/y': ['X', 1] } },
  { name: 'hard link outlives a whiteout of its target', layers: [[f('bin/x', 'X')], [ln('bin/y', './bin/x')], [wh('bin/.wh.x')]], want: { '/bin/y': ['X', 1] } },
  { name: 'entry under a symlinked directory lands at the target', layers: [[d('usr/lib'), sl('lib', 'usr/lib')], [f('lib/foo.so', 'F')]], want: { '/usr/lib/foo.so': ['F', 1] } },
  { name: 'opaque directory reached through a symlink', layers: [[f('usr/lib/x'), sl('lib', '/usr/lib')], [wh('lib/.wh..wh..opq'), f('usr/lib/y')]], want: { '/usr/lib/y': ['usr/lib/y', 1] } },
];

for (const c of cases) {
  test(`squash: ${c.name}`, async () => {
    const { tree, diffIds } = await squashed(c.layers, c.globs);
    try {
      const got: Record<string, [string, number]> = {};
      for await (const e of tree.glob(['**'])) got[e.path] = [await text(await tree.open(e)), diffIds.indexOf(e.layer!)];
      assert.deepEqual(got, c.want);
      assert.deepEqual(Object.keys(got), Object.keys(c.want).sort(), 'glob yields paths in order');
    } finally {
      await tree.close();
    }
  });
}

const links: LayerEntry[] = [
  f('usr/lib/os-release', 'ID=debian'),
  sl('etc/os-release', '../usr/lib/os-release'),
  sl('abs', '/usr/lib/os-release'),
  sl('up', '../../../../usr/lib/os-release'),
  sl('etc/escape', '../../../../../etc/os-release'),
  sl('loop1', 'loop2'),
  sl('loop2', 'loop1'),
  sl('self', './self'),
  sl('dangling', '/nope'),
  sl('empty', ''),
  sl('lib', 'usr/lib'),
  ...Array.from({ length: 40 }, (_, i) => sl(`c40/${i}`, i === 39 ? '/usr/lib/os-release' : `${i + 1}`)),
  ...Array.from({ length: 41 }, (_, i) => sl(`c41/${i}`, i === 40 ? '/usr/lib/os-release' : `${i + 1}`)),
];
const statCases: Array<{ path: string; want: string | undefined }> = [
  { path: '/usr/lib/os-release', want: '/usr/lib/os-release' },
  { path: 'usr/lib/os-release', want: '/usr/lib/os-release' },
  { path: '/etc/os-release', want: '/usr/lib/os-release' },
  { path: '/abs', want: '/usr/lib/os-release' },
  { path: '/up', want: '/usr/lib/os-release' },
  { path: '/etc/escape', want: '/usr/lib/os-release' },
  { path: '/../../usr/./lib/os-release', want: '/usr/lib/os-release' },
  { path: '/lib/os-release', want: '/usr/lib/os-release' },
  { path: '/lib/../lib/os-release', want: '/usr/lib/os-release' },
  { path: '/c40/0', want: '/usr/lib/os-release' },
  { path: '/c41/0', want: undefined },
  { path: '/loop1', want: undefined },
  { path: '/self', want: undefined },
  { path: '/dangling', want: undefined },
  { path: '/empty', want: undefined },
  { path: '/etc/os-release/x', want: undefined },
  { path: '/usr/bin/missing', want: undefined },
];
for (const c of statCases) {
  test(`squash stat follows symlinks safely: ${c.path}`, async () => {
    const { tree } = await squashed([links]);
    try {
      const e = await tree.stat(c.path);
      assert.equal(e?.path, c.want);
      if (e) assert.equal(await text(await tree.open(e)), 'ID=debian');
    } finally {
      await tree.close();
    }
  });
}

test('squash lstat reports the symlink itself and glob skips symlinks', async () => {
  const { tree, diffIds } = await squashed([links]);
  const e = await tree.lstat('/etc/os-release');
  assert.deepEqual(e, { path: '/etc/os-release', kind: 'symlink', size: 21, mode: 0o777, linkTarget: '../usr/lib/os-release', layer: diffIds[0] } satisfies FileEntry);
  const all = [];
  for await (const x of tree.glob(['**'])) all.push(x.path);
  assert.deepEqual(all, ['/usr/lib/os-release']);
  await tree.close();
});
