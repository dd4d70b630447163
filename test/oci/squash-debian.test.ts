import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { squash } from '../../src/oci/squash.js';
import { debExtract, debTar } from '../helpers/debian.js';
import { imageFixture, text } from '../helpers/oci-image.js';

// Layers: base-files, then netbase, then a layer deleting /etc/protocols with a whiteout.
// Reference: the same packages unpacked by dpkg-deb into one directory, whiteout applied by hand.
test('squash of real Debian packages agrees with dpkg-deb -x', async () => {
  const ref = await mkdtemp(join(tmpdir(), 'bosun-deb-'));
  try {
    debExtract('base-files', ref);
    debExtract('netbase', ref);
    await rm(join(ref, 'etc/protocols'));
    const { image, diffIds } = await imageFixture([debTar('base-files'), debTar('netbase'), [{ path: './etc/.wh.protocols', content: '' }]]);
    await using tree = await squash(image, ['etc/*', 'usr/lib/os-release', 'usr/share/doc/*/copyright']);

    const want: string[] = [];
    for (const name of (await readdir(join(ref, 'etc'))).sort()) if ((await lstat(join(ref, 'etc', name))).isFile()) want.push(`/etc/${name}`);
    const got: string[] = [];
    for await (const e of tree.glob(['etc/*'])) {
      got.push(e.path);
      assert.equal(await text(await tree.open(e)), await readFile(join(ref, e.path), 'utf8'), e.path);
    }
    assert.deepEqual(got, want);
    assert.ok(got.includes('/etc/services') && !got.includes('/etc/protocols'));

    const os = await tree.stat('/etc/os-release');
    assert.equal(os?.path, '/usr/lib/os-release');
    assert.equal(os?.layer, diffIds[0]);
    assert.match(await text(await tree.open(os!)), /^ID=debian$/m);
    assert.equal((await tree.stat('/etc/services'))?.layer, diffIds[1]);
    assert.equal((await tree.stat('/usr/share/doc/netbase/copyright'))?.layer, diffIds[1]);
    assert.deepEqual(tree.problems, []);
  } finally {
    await rm(ref, { recursive: true });
  }
});
