// Interop with the reference tools Debian ships: skopeo and umoci read what bosun writes, and
// bosun reads what they write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as layout from '../../src/oci/layout.js';
import { bytesOf, snapshot, twoLayerImage } from '../helpers/oci-image.js';
import { tempDir } from '../helpers/temp-dir.js';

const run = (cmd: string, args: string[], cwd?: string) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] }).toString();

test('skopeo reads a layout bosun wrote, and copies it oci: to oci: for bosun to read back', async () => {
  const dir = await tempDir('skopeo-oci');
  const img = await twoLayerImage();
  await layout.write(join(dir, 'a'), img, { tag: 'v1' });
  const inspected = JSON.parse(run('skopeo', ['inspect', `oci:${join(dir, 'a')}:v1`])) as { Digest: string; Layers: string[] };
  assert.equal(inspected.Digest, await img.digest());
  run('skopeo', ['copy', '-q', `oci:${join(dir, 'a')}:v1`, `oci:${join(dir, 'b')}:v2`]);
  const back = await layout.image(join(dir, 'b'), { tag: 'v2' });
  const [want, got] = [await snapshot(img), await snapshot(back)];
  assert.deepEqual(got.layers.map((l) => [l.diffId, l.plain]), want.layers.map((l) => [l.diffId, l.plain]));
  assert.equal(got.config, want.config);
});

test('umoci-built image (init, new, unpack, repack) reads with bosun', async () => {
  const dir = await tempDir('umoci');
  const lay = join(dir, 'lay');
  run('umoci', ['init', '--layout', lay]);
  run('umoci', ['new', '--image', `${lay}:t`]);
  run('umoci', ['unpack', '--rootless', '--image', `${lay}:t`, join(dir, 'bundle')]);
  await writeFile(join(dir, 'bundle', 'rootfs', 'hello.txt'), 'hello from umoci\n');
  run('umoci', ['repack', '--image', `${lay}:t`, join(dir, 'bundle')]);
  const img = await layout.image(lay, { tag: 't' });
  const layers = await img.layers();
  assert.equal(layers.length, 1);
  const plain = await bytesOf(await layers[0]!.uncompressed());
  assert.ok(plain.includes('hello from umoci'));
  assert.equal((await img.config()).rootfs.diff_ids[0], await layers[0]!.diffId());
});

test('umoci unpacks an image bosun wrote, whiteouts applied', async () => {
  const dir = await tempDir('umoci-read');
  await layout.write(join(dir, 'lay'), await twoLayerImage(), { tag: 'v1' });
  assert.match(run('umoci', ['ls', '--layout', join(dir, 'lay')]), /^v1$/m);
  run('umoci', ['unpack', '--rootless', '--image', `${join(dir, 'lay')}:v1`, join(dir, 'bundle')]);
  const rootfs = join(dir, 'bundle', 'rootfs');
  assert.match(await readFile(join(rootfs, 'etc', 'os-release'), 'utf8'), /ID=debian/);
  assert.equal(existsSync(join(rootfs, 'etc', 'motd')), false);
  assert.equal(await readFile(join(rootfs, 'app.txt'), 'utf8'), 'app\n');
});
