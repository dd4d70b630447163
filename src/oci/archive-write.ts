import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { BosunError } from '../errors.js';
import { hexOf, type Digest } from './digest.js';
import type { Image } from './types.js';

export interface ArchiveWriteOptions {
  /** `RepoTags` of the image (`repo:tag`); may be empty. */
  tags?: readonly string[];
  /** Where uncompressed layers are staged while the tar is written (default the OS temp dir). */
  tempDir?: string;
  signal?: AbortSignal;
}

// A lowercase repository (registry host and port allowed), a colon, then a tag.
const tagPattern = /^[a-z0-9][a-z0-9._/:-]*:[\w][\w.-]{0,127}$/;

interface Member {
  name: string;
  size: number;
  open: () => Readable;
}

function addMember(pack: tar.Pack, m: Member): Promise<void> {
  return new Promise((resolve, reject) => {
    const sink = pack.entry({ name: m.name, size: m.size, mode: 0o444, mtime: new Date(0) }, (err) => (err ? reject(err) : resolve()));
    pipeline(m.open(), sink).catch(reject);
  });
}

function bytes(data: Uint8Array | string): () => Readable {
  return () => Readable.from([Buffer.from(data)]);
}

/** Stages each distinct layer's uncompressed tar (verified against its diffID) in `dir`. */
async function stageLayers(img: Image, dir: string, signal?: AbortSignal): Promise<Map<Digest, { path: string; size: number }>> {
  const staged = new Map<Digest, { path: string; size: number }>();
  for (const layer of await img.layers()) {
    const diffId = await layer.diffId();
    if (staged.has(diffId)) continue;
    const path = join(dir, hexOf(diffId));
    await pipeline(await layer.uncompressed(), createWriteStream(path), { signal });
    staged.set(diffId, { path, size: (await stat(path)).size });
  }
  return staged;
}

/**
 * Writes `img` as a docker-archive (`docker save` layout, as skopeo writes it: `<config
 * hex>.json`, one uncompressed `<diffID hex>.tar` per distinct layer, `manifest.json`) that
 * `docker load`, `skopeo copy docker-archive:…` and bosun read back. Layers are verified
 * against their digests and diffIDs while staged. The file appears atomically.
 * Throws INPUT_INVALID (a tag is not `name:tag`), OCI_DIGEST_MISMATCH, IO_FAILED.
 */
export async function write(file: string, img: Image, opts: ArchiveWriteOptions = {}): Promise<void> {
  const tags = [...(opts.tags ?? [])];
  for (const t of tags) {
    if (!tagPattern.test(t)) throw new BosunError('INPUT_INVALID', `invalid RepoTags entry "${t.slice(0, 200)}": want name:tag`);
  }
  const stage = await mkdtemp(join(opts.tempDir ?? tmpdir(), 'bosun-save-'));
  const tmp = join(dirname(file), `.${basename(file)}.tmp-${randomBytes(6).toString('hex')}`);
  try {
    const [config, rawConfig, manifest] = await Promise.all([img.config(), img.rawConfig(), img.manifest()]);
    const staged = await stageLayers(img, stage, opts.signal);
    const configName = `${hexOf(manifest.config.digest)}.json`;
    const layerNames = config.rootfs.diff_ids.map((d) => `${hexOf(d)}.tar`);
    const manifestJson = JSON.stringify([{ Config: configName, RepoTags: tags, Layers: layerNames }]);
    const members: Member[] = [{ name: configName, size: rawConfig.byteLength, open: bytes(rawConfig) }];
    for (const [diffId, s] of staged) members.push({ name: `${hexOf(diffId)}.tar`, size: s.size, open: () => createReadStream(s.path) });
    members.push({ name: 'manifest.json', size: Buffer.byteLength(manifestJson), open: bytes(manifestJson) });
    const pack = tar.pack();
    const written = pipeline(pack, createWriteStream(tmp, { mode: 0o644 }), { signal: opts.signal });
    for (const m of members) await addMember(pack, m);
    pack.finalize();
    await written;
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    if (err instanceof BosunError) throw err;
    throw new BosunError('IO_FAILED', `cannot write docker-archive "${file}"`, { cause: err });
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}
