// Builds small real OCI images in memory for tests: gzip tar layers made with tar-stream from
// real files on this machine, a config and a manifest; optionally an index over several, and
// an OCI image layout on disk (for `skopeo copy oci:DIR:TAG ...`).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { digestOf, hexOf, type Digest } from '../../src/oci/digest.js';
import { MediaTypes } from '../../src/oci/media-types.js';
import { fromCore } from '../../src/oci/partial.js';
import type { Descriptor, Image, ImageIndex, Platform } from '../../src/oci/types.js';

export interface LayerFile {
  /** Path inside the image, without a leading slash. */
  path: string;
  content: Buffer;
}

export interface BuiltImage {
  image: Image;
  raw: Buffer;
  digest: Digest;
  desc: Descriptor;
  config: Buffer;
  /** Every blob (config and layers) by digest. */
  blobs: Map<Digest, Buffer>;
}

export interface BuiltIndex {
  index: ImageIndex;
  raw: Buffer;
  digest: Digest;
  desc: Descriptor;
  images: BuiltImage[];
}

/** Real small files from this Debian machine, for layer content. */
export function realFiles(): LayerFile[] {
  return ['etc/debian_version', 'etc/os-release', 'usr/share/common-licenses/BSD'].map((p) => ({ path: p, content: readFileSync(`/${p}`) }));
}

export async function tarOf(files: readonly LayerFile[]): Promise<Buffer> {
  const p = pack();
  for (const f of files) p.entry({ name: f.path, size: f.content.length, mode: 0o644, mtime: new Date(0) }, f.content);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p as unknown as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

function imageOf(raw: Buffer, blobs: Map<Digest, Buffer>, name: string): Image {
  return fromCore({
    rawManifest: async () => raw,
    openBlob: async (d) => Readable.from([blobs.get(d.digest) ?? Buffer.alloc(0)]),
  }, { name });
}

/** Builds an image whose layers hold `layers` (each a list of files), for one platform. */
export async function buildImage(layers: readonly LayerFile[][], platform: Platform = { os: 'linux', architecture: 'amd64' }): Promise<BuiltImage> {
  const blobs = new Map<Digest, Buffer>();
  const layerDescs: Descriptor[] = [];
  const diffIds: Digest[] = [];
  for (const files of layers) {
    const tar = await tarOf(files);
    const gz = gzipSync(tar);
    diffIds.push(digestOf(tar));
    const digest = digestOf(gz);
    blobs.set(digest, gz);
    layerDescs.push({ mediaType: MediaTypes.ociLayerGzip, digest, size: gz.length });
  }
  const config = Buffer.from(JSON.stringify({
    architecture: platform.architecture, os: platform.os, ...(platform.variant ? { variant: platform.variant } : {}),
    config: { Env: ['PATH=/usr/bin:/bin'] }, rootfs: { type: 'layers', diff_ids: diffIds },
  }));
  const configDigest = digestOf(config);
  blobs.set(configDigest, config);
  const raw = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: MediaTypes.ociManifest,
    config: { mediaType: MediaTypes.ociConfig, digest: configDigest, size: config.length },
    layers: layerDescs,
  }));
  const digest = digestOf(raw);
  const desc: Descriptor = { mediaType: MediaTypes.ociManifest, digest, size: raw.length, platform };
  return { image: imageOf(raw, blobs, `test image ${digest}`), raw, digest, desc, config, blobs };
}

/** An index over built images (their `desc` carries the platform). */
export function buildIndex(images: BuiltImage[]): BuiltIndex {
  const raw = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: images.map((i) => i.desc) }));
  const digest = digestOf(raw);
  const find = (d: Digest) => {
    const hit = images.find((i) => i.digest === d);
    if (!hit) throw new Error(`no image ${d} in test index`);
    return hit;
  };
  const index: ImageIndex = {
    rawManifest: async () => raw,
    manifest: async () => JSON.parse(raw.toString()),
    digest: async () => digest,
    image: async (d) => find(d).image,
    index: async () => {
      throw new Error('test index has no nested indexes');
    },
  };
  return { index, raw, digest, desc: { mediaType: MediaTypes.ociIndex, digest, size: raw.length }, images };
}

/** Writes an OCI image layout at `dir` holding `target` under `tag`. */
export function writeLayout(dir: string, target: BuiltImage | BuiltIndex, tag: string): void {
  const blobDir = join(dir, 'blobs', 'sha256');
  mkdirSync(blobDir, { recursive: true });
  const put = (d: Digest, b: Buffer) => writeFileSync(join(blobDir, hexOf(d)), b);
  const images = 'images' in target ? target.images : [target];
  for (const img of images) {
    for (const [d, b] of img.blobs) put(d, b);
    put(img.digest, img.raw);
  }
  put(target.digest, target.raw);
  const { platform: _platform, ...top } = target.desc;
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2, mediaType: MediaTypes.ociIndex,
    manifests: [{ ...top, annotations: { 'org.opencontainers.image.ref.name': tag } }],
  }));
}
