import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { BosunError } from '../errors.js';
import { digestOf, type Digest } from './digest.js';
import { MediaTypes } from './media-types.js';
import { fromCore, type FromCoreOptions } from './partial.js';
import { readAll } from './read-all.js';
import type { Descriptor, HistoryEntry, Image, ImageConfig, ImageIndex, Index, Manifest, Platform } from './types.js';

/**
 * One member of a layer built from a list. `path` is written as given (no normalisation), so
 * hostile names (`../x`, `/abs`, `.wh.` whiteouts) can be built on purpose.
 */
export interface LayerEntry {
  path: string;
  type?: 'file' | 'dir' | 'symlink' | 'hardlink';
  content?: string | Uint8Array;
  /** For symlinks and hard links. */
  linkTarget?: string;
  /** Permission bits; default 0o644 for files, 0o755 for directories, 0o777 for links. */
  mode?: number;
  uid?: number;
  gid?: number;
}

export interface AddLayerOptions {
  history?: HistoryEntry;
  /** How the blob is stored; default gzip. bosun has no zstd encoder, so `zstd` needs `blob`. */
  compression?: 'gzip' | 'zstd' | 'none';
  /**
   * The stored blob, used as given instead of compressing the tar (which still gives the
   * diffID): for layers compressed elsewhere, and for test images whose blob and diffID
   * disagree on purpose.
   */
  blob?: Uint8Array;
}

export interface BuildOptions {
  platform?: Platform;
  /** The runtime part of the config (`Env`, `Cmd`, `Labels`…). */
  config?: ImageConfig['config'];
  /** Default `1970-01-01T00:00:00Z`, so builds are reproducible. */
  created?: string;
  /** OCI (default) or Docker v2 schema 2 media types. */
  format?: 'oci' | 'docker';
  annotations?: Record<string, string>;
  /** How the built image reads its layers (decompression limits, diffID checks). */
  read?: Omit<FromCoreOptions, 'name'>;
}

/** The most bytes one layer given as a stream may have (the builder holds layers in memory). */
export const maxBuilderLayerBytes = 1024 ** 3;

const fixedTime = new Date(0);

/**
 * Packs entries into an uncompressed tar with tar-stream. Directories are not implied: list
 * every parent you want present. Entries get a fixed mtime so output is reproducible.
 */
export async function tarOf(entries: readonly LayerEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (c: unknown) => void chunks.push(c as Buffer));
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const e of entries) {
    const type = e.type ?? (e.linkTarget !== undefined ? 'symlink' : 'file');
    const tarType = ({ file: 'file', dir: 'directory', symlink: 'symlink', hardlink: 'link' } as const)[type];
    const header: Partial<tar.Header> & { name: string } = { name: e.path, type: tarType, mtime: fixedTime, uid: e.uid ?? 0, gid: e.gid ?? 0 };
    header.mode = e.mode ?? (type === 'file' ? 0o644 : type === 'dir' ? 0o755 : 0o777);
    if (type === 'symlink' || type === 'hardlink') header.linkname = e.linkTarget ?? '';
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (type === 'file') {
        const body = Buffer.from(e.content ?? '');
        pack.entry({ ...header, size: body.length }, body, cb);
      } else {
        pack.entry(header, cb);
      }
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

type Compression = NonNullable<AddLayerOptions['compression']>;

function compress(plain: Buffer, compression: Compression): Buffer {
  if (compression === 'zstd') throw new BosunError('INPUT_INVALID', 'image builder: a zstd layer needs its compressed blob (no zstd encoder)');
  return compression === 'gzip' ? gzipSync(plain) : plain;
}

function layerMediaType(compression: Compression, docker: boolean): string {
  if (!docker) return { gzip: MediaTypes.ociLayerGzip, zstd: MediaTypes.ociLayerZstd, none: MediaTypes.ociLayer }[compression];
  if (compression === 'zstd') throw new BosunError('INPUT_INVALID', 'image builder: Docker v2 schema 2 has no zstd layer type');
  return compression === 'gzip' ? MediaTypes.dockerLayerGzip : 'application/vnd.docker.image.rootfs.diff.tar';
}

interface PendingLayer {
  source: Buffer | Readable | readonly LayerEntry[];
  opts: AddLayerOptions;
}

interface BuiltLayer {
  desc: Descriptor;
  diffId: Digest;
  history: HistoryEntry;
}

/** An in-memory content store; `fromCore` verifies everything read from it. */
function memoryImage(blobs: Map<Digest, Buffer>, rawManifest: Buffer, opts: FromCoreOptions): Image {
  return fromCore(
    {
      rawManifest: async () => rawManifest,
      openBlob: async (d) => {
        const blob = blobs.get(d.digest);
        if (!blob) throw new BosunError('OCI_BLOB_UNKNOWN', `${opts.name}: no blob ${d.digest}`);
        return Readable.from([blob]);
      },
    },
    opts,
  );
}

/**
 * Builds single-platform images in code, held in memory: layers are gzipped (or left plain),
 * digests and diffIDs computed, and the config and manifest written for you.
 *
 * ```ts
 * const img = await new ImageBuilder()
 *   .addEntries([{ path: 'etc/', type: 'dir' }, { path: 'etc/os-release', content: 'ID=debian\n' }])
 *   .build({ platform: { os: 'linux', architecture: 'amd64' } });
 * ```
 */
export class ImageBuilder {
  private readonly pending: PendingLayer[] = [];

  /** Adds a layer from an uncompressed tar (bytes, or a stream read into memory). */
  addLayer(tarData: Uint8Array | Readable, opts: AddLayerOptions = {}): this {
    this.pending.push({ source: tarData instanceof Readable ? tarData : Buffer.from(tarData), opts });
    return this;
  }

  /** Adds a layer packed from `entries` (see `tarOf`). */
  addEntries(entries: readonly LayerEntry[], opts: AddLayerOptions = {}): this {
    this.pending.push({ source: [...entries], opts });
    return this;
  }

  private async plainTar(p: PendingLayer): Promise<Buffer> {
    if (Buffer.isBuffer(p.source)) return p.source;
    const plain = p.source instanceof Readable ? await readAll(p.source, maxBuilderLayerBytes, 'image-builder layer') : await tarOf(p.source as readonly LayerEntry[]);
    p.source = plain; // a stream can be read once; keep the bytes for a later build
    return plain;
  }

  /** Builds the image; the builder may be reused to add more layers and build again. */
  async build(opts: BuildOptions = {}): Promise<Image> {
    const blobs = new Map<Digest, Buffer>();
    const docker = opts.format === 'docker';
    const built: BuiltLayer[] = [];
    for (const p of this.pending) {
      const plain = await this.plainTar(p);
      const compression = p.opts.compression ?? 'gzip';
      const blob = p.opts.blob ? Buffer.from(p.opts.blob) : compress(plain, compression);
      const digest = digestOf(blob);
      blobs.set(digest, blob);
      const mediaType = layerMediaType(compression, docker);
      built.push({ desc: { mediaType, digest, size: blob.length }, diffId: digestOf(plain), history: p.opts.history ?? { created_by: 'bosun image-builder' } });
    }
    const platform = opts.platform ?? { os: 'linux', architecture: 'amd64' };
    const created = opts.created ?? fixedTime.toISOString();
    const config = {
      created,
      architecture: platform.architecture,
      os: platform.os,
      ...(platform.variant ? { variant: platform.variant } : {}),
      config: opts.config ?? {},
      rootfs: { type: 'layers', diff_ids: built.map((l) => l.diffId) },
      history: built.map((l) => ({ created, ...l.history })),
    };
    const rawConfig = Buffer.from(JSON.stringify(config));
    const configDigest = digestOf(rawConfig);
    blobs.set(configDigest, rawConfig);
    const manifest: Manifest = {
      schemaVersion: 2,
      mediaType: docker ? MediaTypes.dockerManifest : MediaTypes.ociManifest,
      config: { mediaType: docker ? MediaTypes.dockerConfig : MediaTypes.ociConfig, digest: configDigest, size: rawConfig.length },
      layers: built.map((l) => l.desc),
      ...(opts.annotations ? { annotations: opts.annotations } : {}),
    };
    return memoryImage(blobs, Buffer.from(JSON.stringify(manifest)), { ...opts.read, name: `built image ${configDigest.slice(7, 19)}` });
  }
}

/**
 * An in-memory OCI image index over already built images, each entry carrying its platform
 * (read from the image's config). Children must be listed; `index()` of a child is unsupported.
 */
export async function buildIndex(images: readonly Image[], annotations?: Record<string, string>): Promise<ImageIndex> {
  const byDigest = new Map<Digest, Image>();
  const manifests: Descriptor[] = [];
  for (const img of images) {
    const [m, c, raw, digest] = await Promise.all([img.manifest(), img.config(), img.rawManifest(), img.digest()]);
    byDigest.set(digest, img);
    const platform: Platform = c.variant ? { os: c.os, architecture: c.architecture, variant: c.variant } : { os: c.os, architecture: c.architecture };
    manifests.push({ mediaType: m.mediaType, digest, size: raw.byteLength, platform });
  }
  const index: Index = { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests, ...(annotations ? { annotations } : {}) };
  const raw = Buffer.from(JSON.stringify(index));
  return {
    rawManifest: async () => raw,
    manifest: async () => index,
    digest: async () => digestOf(raw),
    image: async (d) => {
      const img = byDigest.get(d);
      if (!img) throw new BosunError('OCI_MANIFEST_UNKNOWN', `built index: no image ${d}`);
      return img;
    },
    index: async (d) => {
      throw new BosunError('OCI_MANIFEST_UNKNOWN', `built index: no nested index ${d}`);
    },
  };
}
