import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isBosunError } from '../../src/errors.js';
import { rootfsTree } from '../../src/oci/rootfs.js';
import { text } from '../helpers/oci-image.js';
import { tempDir } from '../helpers/temp-dir.js';

let outside: string;
let root: string;

before(async () => {
  outside = await tempDir('rootfs');
  root = join(outside, 'root');
  await writeFile(join(outside, 'secret'), 'host secret');
  for (const d of ['usr/lib', 'etc', 'opt/app/node_modules/x', 'deep']) await mkdir(join(root, d), { recursive: true });
  await writeFile(join(root, 'usr/lib/os-release'), 'ID=debian');
  await writeFile(join(root, 'etc/passwd'), 'image passwd');
  await writeFile(join(root, 'opt/app/node_modules/x/package.json'), '{"name":"x"}');
  const links: Array<[string, string]> = [
    ['etc/os-release', '../usr/lib/os-release'],
    ['lib', 'usr/lib'],
    ['abs-passwd', '/etc/passwd'],
    ['up-passwd', '../../../../../../../etc/passwd'],
    ['secret-link', '../secret'],
    ['secret-abs', join(outside, 'secret')],
    ['loop1', 'loop2'],
    ['loop2', 'loop1'],
    ['dangling', '/nope'],
    ['opt/app/node_modules/y', '../../../../usr/lib'],
  ];
  for (const [p, t] of links) await symlink(t, join(root, p));
  execFileSync('mkfifo', [join(root, 'fifo')]);
});

const statCases: Array<{ path: string; want: string | undefined; content?: string }> = [
  { path: '/etc/os-release', want: '/usr/lib/os-release', content: 'ID=debian' },
  { path: '/lib/os-release', want: '/usr/lib/os-release', content: 'ID=debian' },
  { path: '/abs-passwd', want: '/etc/passwd', content: 'image passwd' },
  { path: '/up-passwd', want: '/etc/passwd', content: 'image passwd' },
  { path: '/../../etc/passwd', want: '/etc/passwd', content: 'image passwd' },
  { path: '/opt/app/node_modules/y/os-release', want: '/usr/lib/os-release', content: 'ID=debian' },
  { path: '/secret-link', want: undefined },
  { path: '/secret-abs', want: undefined },
  { path: '/loop1', want: undefined },
  { path: '/dangling', want: undefined },
  { path: '/etc/passwd/x', want: undefined },
  { path: '/fifo', want: '/fifo' },
];
for (const c of statCases) {
  test(`rootfs stat stays inside the root: ${c.path}`, async () => {
    const tree = await rootfsTree(root, []);
    const e = await tree.stat(c.path);
    assert.equal(e?.path, c.want);
    if (c.content !== undefined) assert.equal(await text(await tree.open(e!)), c.content);
  });
}

test('rootfs glob lists matching regular files in order, never symlinks or fifos', async () => {
  const tree = await rootfsTree(root, ['**/package.json', 'etc/*', 'usr/lib/os-release', 'fifo', 'lib/**']);
  const got = [];
  for await (const e of tree.glob(['**'])) got.push([e.path, e.kind, e.layer]);
  assert.deepEqual(got, [
    ['/etc/passwd', 'file', undefined],
    ['/opt/app/node_modules/x/package.json', 'file', undefined],
    ['/usr/lib/os-release', 'file', undefined],
  ]);
  const some = [];
  for await (const e of tree.glob(['etc/**'])) some.push(e.path);
  assert.deepEqual(some, ['/etc/passwd']);
});

test('rootfs lstat reports a symlink; opening a fifo is refused', async () => {
  const tree = await rootfsTree(root, []);
  assert.deepEqual(await tree.lstat('/lib'), { path: '/lib', kind: 'symlink', size: 7, mode: 0o777, linkTarget: 'usr/lib' });
  await assert.rejects(tree.open({ path: '/fifo', kind: 'file', size: 0, mode: 0 }), (e) => isBosunError(e, 'OCI_FILE_NOT_CAPTURED'));
});

const failing = [
  { name: 'entry count over the cap', dir: () => root, opts: { maxEntries: 5 }, code: 'LIMIT_EXCEEDED' },
  { name: 'nesting over the cap', dir: () => root, opts: { maxDepth: 2 }, code: 'LIMIT_EXCEEDED' },
  { name: 'not a directory', dir: () => join(root, 'etc/passwd'), opts: {}, code: 'OCI_SOURCE_INVALID' },
  { name: 'missing directory', dir: () => join(root, 'nope'), opts: {}, code: 'OCI_SOURCE_INVALID' },
] as const;
for (const c of failing) {
  test(`rootfs fails with ${c.code}: ${c.name}`, async () => {
    await assert.rejects(rootfsTree(c.dir(), ['**'], c.opts), (e) => isBosunError(e, c.code));
  });
}

// A race cannot be timed from outside, so these wrap `resolve` to swap the file right after it
// was resolved, exactly where a concurrent attacker would.
const swaps = [
  { name: 'replaced by a symlink out of the root', swap: (p: string) => rm(p).then(() => symlink(join(outside, 'secret'), p)) },
  // Written before the old one is gone, so the filesystem cannot hand the same inode back.
  { name: 'replaced by another file', swap: (p: string) => writeFile(p + '.new', 'other').then(() => rename(p + '.new', p)) },
];
for (const c of swaps) {
  test(`rootfs open refuses a file ${c.name} after it was resolved`, async () => {
    const victim = join(root, 'etc/victim');
    await writeFile(victim, 'v');
    const tree = await rootfsTree(root, []);
    const resolve = tree.resolve.bind(tree);
    tree.resolve = async (path, follow) => {
      const found = await resolve(path, follow);
      await c.swap(victim);
      return found;
    };
    await assert.rejects(tree.open({ path: '/etc/victim', kind: 'file', size: 1, mode: 0o644 }), (e) => isBosunError(e, 'OCI_PATH_UNSAFE'));
    await rm(victim);
  });
}
