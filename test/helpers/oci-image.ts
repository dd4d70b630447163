// Image fixtures for tests, built with the product's ImageBuilder: each comes with what tests
// compare against (raw manifest, digest, descriptor, every blob, diffIDs), read back through the
// Image interface; an index over several; a two-layer image with a whiteout; real small files
// from this machine for content; and snapshots of everything an image is made of.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Digest } from '../../src/oci/digest.js';
import { buildIndex, ImageBuilder, tarOf, type AddLayerOptions, type BuildOptions, type LayerEntry } from '../../src/oci/image-builder.js';
import { MediaTypes } from '../../src/oci/media-types.js';
import { readAll } from '../../src/oci/read-all.js';
import type { Descriptor, Image, ImageIndex, Platform } from '../../src/oci/types.js';

export interface ImageFixture {
  image: Image;
  /** The raw manifest. */
  raw: Buffer;
  digest: Digest;
  /** The manifest's descriptor with its platform, as an index lists it. */
  desc: Descriptor;
  /** Every blob (config and layers) by digest. */
  blobs: Map<Digest, Buffer>;
  /** Layer diffIDs, base first. */
  diffIds: Digest[];
}

export interface IndexFixture {
  index: ImageIndex;
  raw: Buffer;
  digest: Digest;
  desc: Descriptor;
  images: ImageFixture[];
}

export interface FixtureOptions extends Pick<BuildOptions, 'platform' | 'read'> {
  /** Every layer's compression (default gzip); zstd layers are made by Debian's zstd. */
  compression?: AddLayerOptions['compression'];
  /** `blobs[i]`, when given, is stored as layer i's blob instead: a bomb, or a lie. */
  blobs?: ReadonlyArray<Buffer | undefined>;
}

/** Reads a whole stream: a blob, or a FileTree entry's content. */
export function bytesOf(s: Readable): Promise<Buffer> {
  return readAll(s, 256 * 1024 * 1024, 'test stream');
}

/** Reads a whole stream as UTF-8. */
export async function text(s: Readable): Promise<string> {
  return (await bytesOf(s)).toString('utf8');
}

/** Real small files from this Debian machine, for layer content. */
export function realFiles(): LayerEntry[] {
  return ['etc/debian_version', 'etc/os-release', 'usr/share/common-licenses/BSD'].map((p) => ({ path: p, content: readFileSync(`/${p}`) }));
}

/** The fixture view of a built image: everything in it, read through its interface. */
export async function fixtureOf(image: Image): Promise<ImageFixture> {
  const [raw, digest, m, c, rawConfig, layers] = await Promise.all([image.rawManifest(), image.digest(), image.manifest(), image.config(), image.rawConfig(), image.layers()]);
  const blobs = new Map<Digest, Buffer>([[m.config.digest, Buffer.from(rawConfig)]]);
  for (const layer of layers) blobs.set(await layer.digest(), await bytesOf(await layer.compressed()));
  const platform: Platform = c.variant ? { os: c.os, architecture: c.architecture, variant: c.variant } : { os: c.os, architecture: c.architecture };
  return { image, raw: Buffer.from(raw), digest, desc: { mediaType: m.mediaType, digest, size: raw.byteLength, platform }, blobs, diffIds: c.rootfs.diff_ids };
}

/** An image whose layers (base first) are the given tars, or entry lists packed with `tarOf`. */
export async function imageFixture(layers: ReadonlyArray<Buffer | readonly LayerEntry[]>, opts: FixtureOptions = {}): Promise<ImageFixture> {
  const builder = new ImageBuilder();
  for (const [i, layer] of layers.entries()) {
    const tar = Buffer.isBuffer(layer) ? layer : await tarOf(layer);
    // bosun only decodes zstd; Debian's zstd binary is the reference encoder.
    const blob = opts.blobs?.[i] ?? (opts.compression === 'zstd' ? execFileSync('zstd', ['-q', '-c'], { input: tar, maxBuffer: 1 << 30 }) : undefined);
    builder.addLayer(tar, { compression: opts.compression, blob });
  }
  return fixtureOf(await builder.build({ platform: opts.platform, read: opts.read }));
}

/** An index over image fixtures, each entry carrying its platform. */
export async function indexFixture(images: ImageFixture[]): Promise<IndexFixture> {
  const index = await buildIndex(images.map((i) => i.image));
  const raw = Buffer.from(await index.rawManifest());
  const digest = await index.digest();
  return { index, raw, digest, desc: { mediaType: MediaTypes.ociIndex, digest, size: raw.length }, images };
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
