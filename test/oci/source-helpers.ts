// Shared by the layout and archive tests: small images built in code, and byte readers.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after } from 'node:test';
import { ImageBuilder } from '../../src/oci/image-builder.js';
import { readAll } from '../../src/oci/read-all.js';
import type { Image } from '../../src/oci/types.js';

/** A temp dir removed when the test file ends. */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `bosun-test-${prefix}-`));
  after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export function bytesOf(s: Readable): Promise<Buffer> {
  return readAll(s, 64 * 1024 * 1024, 'test');
}

/** A two-layer image: a base with a few files, a second layer that adds and whiteouts. */
export function twoLayerImage(arch = 'amd64'): Promise<Image> {
  return new ImageBuilder()
    .addEntries(
      [
        { path: 'etc/', type: 'dir' },
        { path: 'etc/os-release', content: `ID=debian\nVERSION_ID="12"\nARCH=${arch}\n` },
        { path: 'etc/motd', content: 'hello\n' },
        { path: 'bin/', type: 'dir' },
        { path: 'bin/sh', linkTarget: 'dash' },
      ],
      { history: { created_by: 'base' } },
    )
    .addEntries([{ path: 'etc/.wh.motd', content: '' }, { path: 'app.txt', content: 'app\n', mode: 0o600 }], { history: { created_by: 'app' } })
    .build({ platform: { os: 'linux', architecture: arch }, config: { Env: ['PATH=/usr/bin:/bin'], Cmd: ['/bin/sh'] } });
}

/** Everything an image is made of, read through its public interface. */
export async function snapshot(img: Image): Promise<{ digest: string; config: string; layers: { digest: string; diffId: string; blob: Buffer; plain: Buffer }[] }> {
  const layers = [];
  for (const l of await img.layers()) {
    layers.push({ digest: await l.digest(), diffId: await l.diffId(), blob: await bytesOf(await l.compressed()), plain: await bytesOf(await l.uncompressed()) });
  }
  return { digest: await img.digest(), config: Buffer.from(await img.rawConfig()).toString('utf8'), layers };
}
