import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BosunError } from '../errors.js';
import { VerifyingStream, type Digest } from './digest.js';
import { limits } from './limits.js';
import { blobPath, dirStore, readLayoutIndex, refNameAnnotation } from './layout-store.js';
import { MediaTypes } from './media-types.js';
import type { Descriptor, Image, ImageIndex, Index } from './types.js';

export interface WriteOptions {
  /** Adds (or replaces) the index.json entry with this `org.opencontainers.image.ref.name`. */
  tag?: string;
  signal?: AbortSignal;
}

function isImage(x: Image | ImageIndex): x is Image {
  return 'layers' in x;
}

function tmpName(final: string): string {
  return join(dirname(final), `.tmp-${randomBytes(8).toString('hex')}`);
}

/** Writes `data` to `path` atomically: a temp file in the same directory, then a rename. */
export async function atomicWrite(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = tmpName(path);
  try {
    await writeFile(tmp, data, { mode: 0o644 });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new BosunError('IO_FAILED', `cannot write "${path}"`, { cause: err });
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Writes one blob, verified against `digest` (and `size`) as it streams, unless a file is
 * already there. The blob appears only once complete. Throws OCI_DIGEST_MISMATCH, IO_FAILED.
 */
async function writeBlob(dir: string, digest: Digest, size: number, open: () => Promise<Readable>, signal?: AbortSignal): Promise<void> {
  const final = join(dir, blobPath(digest));
  if (await exists(final)) return;
  await mkdir(dirname(final), { recursive: true });
  const tmp = tmpName(final);
  try {
    await pipeline(await open(), new VerifyingStream(digest, `blob ${digest}`, size), createWriteStream(tmp, { mode: 0o644 }), { signal });
    await rename(tmp, final);
  } catch (err) {
    await rm(tmp, { force: true });
    if (err instanceof BosunError) throw err;
    throw new BosunError('IO_FAILED', `cannot write blob ${digest} to "${dir}"`, { cause: err });
  }
}

async function writeImage(dir: string, img: Image, signal?: AbortSignal): Promise<Descriptor> {
  const m = await img.manifest();
  const layers = await img.layers();
  for (const [i, layer] of layers.entries()) {
    const d = m.layers[i]!;
    await writeBlob(dir, d.digest, d.size, () => layer.compressed(), signal);
  }
  const rawConfig = await img.rawConfig();
  await writeBlob(dir, m.config.digest, m.config.size, async () => Readable.from([Buffer.from(rawConfig)]), signal);
  const raw = await img.rawManifest();
  const digest = await img.digest();
  await writeBlob(dir, digest, raw.byteLength, async () => Readable.from([Buffer.from(raw)]), signal);
  return { mediaType: m.mediaType, digest, size: raw.byteLength };
}

async function writeIndex(dir: string, idx: ImageIndex, depth: number, signal?: AbortSignal): Promise<Descriptor> {
  if (depth > limits.indexDepth) throw new BosunError('LIMIT_EXCEEDED', `indexes nested more than ${limits.indexDepth} deep`);
  const m = await idx.manifest();
  for (const child of m.manifests) {
    if (child.mediaType === MediaTypes.ociIndex || child.mediaType === MediaTypes.dockerManifestList) {
      await writeIndex(dir, await idx.index(child.digest), depth + 1, signal);
    } else {
      await writeImage(dir, await idx.image(child.digest), signal);
    }
  }
  const raw = await idx.rawManifest();
  const digest = await idx.digest();
  await writeBlob(dir, digest, raw.byteLength, async () => Readable.from([Buffer.from(raw)]), signal);
  return { mediaType: m.mediaType, digest, size: raw.byteLength };
}

async function updateIndexJson(dir: string, desc: Descriptor, tag: string | undefined): Promise<void> {
  let index: Index = { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [] };
  if (await exists(join(dir, 'index.json'))) {
    index = (await readLayoutIndex(dirStore(dir))).index;
  }
  const entry: Descriptor = tag === undefined ? desc : { ...desc, annotations: { [refNameAnnotation]: tag } };
  const kept = index.manifests.filter((d) =>
    tag === undefined ? !(d.digest === desc.digest && d.annotations?.[refNameAnnotation] === undefined) : d.annotations?.[refNameAnnotation] !== tag,
  );
  const next: Index = { ...index, schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [...kept, entry] };
  await atomicWrite(join(dir, 'index.json'), JSON.stringify(next));
}

/**
 * Writes an image (or an index and every image it lists) into the OCI image layout at `dir`,
 * creating the layout if needed. Blobs already present are skipped; new ones are verified as
 * they stream and appear atomically. index.json gets an entry for the written manifest (the
 * entry with the same `tag`, if any, is replaced) and is replaced atomically.
 * Not safe against concurrent writers of the same index.json. Returns the entry's descriptor.
 * Throws OCI_DIGEST_MISMATCH (a source blob is corrupt), IO_FAILED, OCI_SOURCE_INVALID (an
 * existing index.json is malformed).
 */
export async function write(dir: string, img: Image | ImageIndex, opts: WriteOptions = {}): Promise<Descriptor> {
  try {
    await mkdir(join(dir, 'blobs'), { recursive: true });
  } catch (err) {
    throw new BosunError('IO_FAILED', `cannot create layout directory "${dir}"`, { cause: err });
  }
  if (!(await exists(join(dir, 'oci-layout')))) await atomicWrite(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const desc = isImage(img) ? await writeImage(dir, img, opts.signal) : await writeIndex(dir, img, 0, opts.signal);
  await updateIndexJson(dir, desc, opts.tag);
  return opts.tag === undefined ? desc : { ...desc, annotations: { [refNameAnnotation]: opts.tag } };
}
