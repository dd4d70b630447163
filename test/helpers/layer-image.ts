// Small in-test image builder: tar-stream layers, gzip/zstd, wrapped in an ImageCore + fromCore().
import { execFileSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pack, type Header } from 'tar-stream';
import { digestOf, type Digest } from '../../src/oci/digest.js';
import { MediaTypes } from '../../src/oci/media-types.js';
import { fromCore, type FromCoreOptions } from '../../src/oci/partial.js';
import type { Descriptor, Image, ImageCore } from '../../src/oci/types.js';

export interface TarEntry {
  path: string;
  type?: Header['type'];
  content?: string | Buffer;
  linkname?: string;
  mode?: number;
}

/** A tar archive of `entries`, in order; a path ending in `/` is a directory. */
export async function makeTar(entries: readonly TarEntry[]): Promise<Buffer> {
  const p = pack();
  const out: Buffer[] = [];
  p.on('data', (c: unknown) => out.push(c as Buffer));
  const done = new Promise<void>((resolve) => p.on('end', () => resolve()));
  for (const e of entries) {
    const type = e.type ?? (e.path.endsWith('/') ? 'directory' : e.linkname !== undefined ? 'symlink' : 'file');
    const body = type === 'file' ? Buffer.from(e.content ?? '') : undefined;
    const header = { name: e.path, type, mode: e.mode ?? (type === 'directory' ? 0o755 : type === 'symlink' ? 0o777 : 0o644), linkname: e.linkname, size: body?.length ?? 0 };
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (body) p.entry(header, body, cb);
      else p.entry(header, cb);
    });
  }
  p.finalize();
  await done;
  return Buffer.concat(out);
}

export type Compression = 'gzip' | 'zstd' | 'none';

const compressors: Record<Compression, { mediaType: string; run: (b: Buffer) => Buffer }> = {
  gzip: { mediaType: MediaTypes.ociLayerGzip, run: (b) => gzipSync(b) },
  // Debian's zstd binary is the reference encoder.
  zstd: { mediaType: MediaTypes.ociLayerZstd, run: (b) => execFileSync('zstd', ['-q', '-c'], { input: b, maxBuffer: 1 << 30 }) },
  none: { mediaType: MediaTypes.ociLayer, run: (b) => b },
};

export interface TestImage {
  image: Image;
  diffIds: Digest[];
}

/**
 * An image whose layers (base first) are the given tar archives, compressed with `compression`
 * (default gzip). `compressed[i]`, when given, is stored as layer i's blob instead (a bomb),
 * still described by the tar's diffID.
 */
export function makeImage(tars: readonly Buffer[], opts: { compression?: Compression; fromCore?: Partial<FromCoreOptions>; compressed?: readonly Buffer[] } = {}): TestImage {
  const c = compressors[opts.compression ?? 'gzip'];
  const blobs = new Map<string, Buffer>();
  const add = (b: Buffer, mediaType: string): Descriptor => {
    const d: Descriptor = { mediaType, digest: digestOf(b), size: b.length };
    blobs.set(d.digest, b);
    return d;
  };
  const diffIds = tars.map((t) => digestOf(t));
  const layers = tars.map((t, i) => add(opts.compressed?.[i] ?? c.run(t), c.mediaType));
  const config = add(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: diffIds } })), MediaTypes.ociConfig);
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociManifest, config, layers }));
  const core: ImageCore = {
    rawManifest: async () => manifest,
    openBlob: async (desc) => Readable.from(chunks(blobs.get(desc.digest)!, 64 * 1024)),
  };
  return { image: fromCore(core, { name: 'test-image', ...opts.fromCore }), diffIds };
}

function* chunks(b: Buffer, n: number): Generator<Buffer> {
  for (let i = 0; i < b.length; i += n) yield b.subarray(i, i + n);
}

/** Reads a FileTree entry's content as UTF-8. */
export async function text(stream: Readable): Promise<string> {
  const out: Buffer[] = [];
  for await (const c of stream) out.push(c as Buffer);
  return Buffer.concat(out).toString('utf8');
}
