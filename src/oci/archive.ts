import { createHash } from 'node:crypto';
import { z } from 'zod';
import { BosunError } from '../errors.js';
import { sniffCompression } from './decompress.js';
import { digestOf, type Digest } from './digest.js';
import { getFromStore, readManifestBlob, storeImage, toImage, type ReadOptions } from './layout.js';
import { blobPath, readLayoutIndex, tarStore } from './layout-store.js';
import { limits } from './limits.js';
import { parseConfig } from './manifest.js';
import { isImageManifest, isIndex, MediaTypes } from './media-types.js';
import { fromCore } from './partial.js';
import { readAll } from './read-all.js';
import { localTar, type SpoolOptions, type TarSource } from './spool.js';
import { fileEntry, headOf, indexTar, openEntry, safeEntryName, type TarEntry, type TarIndex } from './tar-index.js';
import type { Descriptor, Image, Platform } from './types.js';

export { write } from './archive-write.js';
export type { TarSource } from './spool.js';

// docker-archive, as `docker save` and skopeo's `docker-archive:` write it:
//
//   FILE.tar
//   ├── manifest.json        [{"Config": "<hex>.json", "RepoTags": ["repo:tag"], "Layers": ["<hex>.tar", …]}]
//   ├── <hex>.json           the image config (its digest is the image ID)
//   ├── <hex>.tar | <id>/layer.tar | blobs/sha256/<hex>    layer tars, usually uncompressed
//   └── oci-layout, index.json, blobs/…   (Docker 25+: the same content as an OCI layout)

/**
 * Picks an image from an archive: `ref` matches a `RepoTags` entry (`busybox:1.36` matches
 * `docker.io/library/busybox:1.36`), `index` is the position in manifest.json (skopeo's
 * `:@N`). Without either, the archive must hold one image. `platform` applies to an archive
 * that is only an OCI layout with a multi-platform index.
 */
export interface ArchiveSelector {
  ref?: string;
  index?: number;
  platform?: Platform;
}

export interface ArchiveOptions extends ReadOptions, SpoolOptions {}

/** An image read from an archive. `close()` removes any temp copy; streams need the file. */
export interface ArchiveImage extends Image {
  /** The selected image's `RepoTags` from manifest.json (empty for an OCI-layout archive). */
  repoTags: string[];
  close(): Promise<void>;
}

const manifestJsonMax = 8 * 1024 * 1024;
const entrySchema = z
  .object({
    Config: z.string().max(4096),
    RepoTags: z.array(z.string().max(4096)).max(1000).nullish(),
    Layers: z.array(z.string().max(4096)).max(limits.layers),
  })
  .loose();
const manifestJsonSchema = z.array(entrySchema).max(limits.indexEntries);
type ArchiveEntry = z.infer<typeof entrySchema>;

/** skopeo's layer media type for docker-archive layers, compressed or not (see docs). */
const archiveLayerMediaType = MediaTypes.dockerLayerGzip;

function parseManifestJson(raw: Buffer, what: string): ArchiveEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new BosunError('OCI_SOURCE_INVALID', `${what}: manifest.json is not JSON`, { cause: err });
  }
  if (Array.isArray(doc)) {
    if (doc.length > limits.indexEntries) throw new BosunError('LIMIT_EXCEEDED', `${what}: manifest.json lists ${doc.length} images`);
    for (const e of doc as { Layers?: unknown }[]) {
      if (Array.isArray(e?.Layers) && e.Layers.length > limits.layers) {
        throw new BosunError('LIMIT_EXCEEDED', `${what}: manifest.json lists ${e.Layers.length} layers (limit ${limits.layers})`);
      }
    }
  }
  const r = manifestJsonSchema.safeParse(doc);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new BosunError('OCI_SOURCE_INVALID', `${what}: manifest.json: ${first ? `${first.path.join('.')}: ${first.message}` : 'invalid'}`);
  }
  return r.data;
}

// Docker writes familiar names ("busybox:latest"), skopeo fully qualified ones
// ("docker.io/library/busybox:latest"); compare both sides in the familiar form.
function familiar(ref: string): string {
  let r = ref.replace(/^docker\.io\/library\//, '').replace(/^docker\.io\//, '');
  const lastSegment = r.slice(r.lastIndexOf('/') + 1);
  if (!lastSegment.includes(':') && !r.includes('@')) r += ':latest';
  return r;
}

function selectArchiveEntry(entries: ArchiveEntry[], sel: ArchiveSelector, what: string): ArchiveEntry {
  const listed = entries.flatMap((e) => e.RepoTags ?? []).map((t) => `"${t}"`).join(', ') || 'none';
  if (sel.index !== undefined) {
    const hit = entries[sel.index];
    if (!hit) throw new BosunError('OCI_MANIFEST_UNKNOWN', `${what}: no image @${sel.index} (archive holds ${entries.length})`);
    return hit;
  }
  if (sel.ref !== undefined) {
    const want = familiar(sel.ref);
    const hit = entries.find((e) => (e.RepoTags ?? []).some((t) => familiar(t) === want));
    if (!hit) throw new BosunError('OCI_MANIFEST_UNKNOWN', `${what}: no image tagged "${sel.ref}" (tags: ${listed})`);
    return hit;
  }
  if (entries.length === 1) return entries[0]!;
  if (entries.length === 0) throw new BosunError('OCI_MANIFEST_UNKNOWN', `${what}: manifest.json lists no images`);
  throw new BosunError('OCI_SELECTOR_AMBIGUOUS', `${what}: holds ${entries.length} images; name one (tags: ${listed})`);
}

async function hashEntry(idx: TarIndex, entry: TarEntry): Promise<Digest> {
  const h = createHash('sha256');
  for await (const chunk of openEntry(idx, entry)) h.update(chunk as Buffer);
  return `sha256:${h.digest('hex')}`;
}

const blobName = /^blobs\/sha256\/([a-f0-9]{64})$/;

/**
 * The descriptor for a layer blob as stored in the archive. An uncompressed layer's digest is
 * its diffID (no hashing needed: `fromCore` verifies as it reads); a compressed one is named by
 * its `blobs/sha256/<hex>` path or hashed once here.
 */
async function layerDescriptor(idx: TarIndex, entry: TarEntry, diffId: Digest): Promise<Descriptor> {
  const compression = sniffCompression(await headOf(idx, entry, 4));
  if (compression === 'none') return { mediaType: archiveLayerMediaType, size: entry.size, digest: diffId };
  const named = blobName.exec(entry.name);
  const digest = named ? (`sha256:${named[1]}` as Digest) : await hashEntry(idx, entry);
  const mediaType = compression === 'gzip' ? archiveLayerMediaType : MediaTypes.ociLayerZstd;
  return { mediaType, size: entry.size, digest };
}

/**
 * Synthesizes the Docker v2 schema 2 manifest containers/image (skopeo, podman) builds for a
 * docker-archive image, byte for byte: same key order, no whitespace, config media type
 * `…container.image.v1+json`, and every layer typed `…rootfs.diff.tar.gzip` with the digest
 * and size of the blob as stored. For the usual uncompressed layers, `Image.digest()` thus
 * equals what `skopeo inspect docker-archive:FILE` reports.
 */
async function synthesize(idx: TarIndex, entry: ArchiveEntry, what: string): Promise<{ raw: Buffer; blobs: Map<Digest, TarEntry> }> {
  const configEntry = fileEntry(idx, entry.Config, what);
  if (configEntry.size > limits.configBytes) throw new BosunError('LIMIT_EXCEEDED', `${what}: config of ${configEntry.size} bytes`);
  const rawConfig = await readAll(openEntry(idx, configEntry), limits.configBytes, `${what}: config`);
  const diffIds = parseConfig(rawConfig, `${what}: config`).rootfs.diff_ids;
  if (diffIds.length !== entry.Layers.length) {
    throw new BosunError('OCI_SOURCE_INVALID', `${what}: manifest.json lists ${entry.Layers.length} layers but the config has ${diffIds.length} diff_ids`);
  }
  const configDigest = digestOf(rawConfig);
  const blobs = new Map<Digest, TarEntry>([[configDigest, configEntry]]);
  const layers: Descriptor[] = [];
  for (const [i, name] of entry.Layers.entries()) {
    const layerEntry = fileEntry(idx, name, what);
    const desc = await layerDescriptor(idx, layerEntry, diffIds[i]!);
    blobs.set(desc.digest, layerEntry);
    layers.push(desc);
  }
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaTypes.dockerManifest,
    config: { mediaType: MediaTypes.dockerConfig, size: rawConfig.length, digest: configDigest },
    layers: layers.map((l) => ({ mediaType: l.mediaType, size: l.size, digest: l.digest })),
  };
  return { raw: Buffer.from(JSON.stringify(manifest)), blobs };
}

/**
 * Docker 25+ archives also hold an OCI layout; when it has the manifest of the selected
 * image (same config), that real manifest is used, so the digest is the one the image has
 * in a registry rather than a synthesized one. Entries that are indexes are searched one
 * level down; children whose blobs the archive lacks (other platforms) are passed over.
 */
async function embeddedImage(idx: TarIndex, configName: string, what: string, opts: ReadOptions): Promise<Image | undefined> {
  if (!idx.entries.has('index.json') || !idx.entries.has('oci-layout')) return undefined;
  const store = tarStore(idx, what);
  const wantConfig = `sha256:${/([a-f0-9]{64})(\.json)?$/.exec(safeEntryName(configName, what))?.[1]}`;
  const candidates: Descriptor[] = [];
  for (const desc of (await readLayoutIndex(store)).index.manifests) {
    if (isImageManifest(desc.mediaType)) candidates.push(desc);
    else if (isIndex(desc.mediaType) && idx.entries.has(blobPath(desc.digest))) {
      const { parsed } = await readManifestBlob(store, desc);
      if (parsed.kind === 'index') candidates.push(...parsed.index.manifests.filter((d) => isImageManifest(d.mediaType)));
    }
  }
  for (const desc of candidates) {
    if (!idx.entries.has(blobPath(desc.digest))) continue;
    const { raw, parsed } = await readManifestBlob(store, desc);
    if (parsed.kind === 'manifest' && parsed.manifest.config.digest === wantConfig) return storeImage(store, raw, desc.digest, opts);
  }
  return undefined;
}

async function imageFromIndex(idx: TarIndex, sel: ArchiveSelector, what: string, opts: ReadOptions): Promise<{ img: Image; repoTags: string[] }> {
  if (idx.entries.has('manifest.json')) {
    const raw = await readAll(openEntry(idx, fileEntry(idx, 'manifest.json', what)), manifestJsonMax, `${what}: manifest.json`);
    const entry = selectArchiveEntry(parseManifestJson(raw, what), sel, what);
    const repoTags = entry.RepoTags ?? [];
    const embedded = await embeddedImage(idx, entry.Config, what, opts);
    if (embedded) return { img: embedded, repoTags };
    const { raw: rawManifest, blobs } = await synthesize(idx, entry, what);
    const img = fromCore(
      {
        rawManifest: async () => rawManifest,
        openBlob: async (d) => {
          const e = blobs.get(d.digest);
          if (!e) throw new BosunError('OCI_BLOB_UNKNOWN', `${what}: no blob ${d.digest}`);
          return openEntry(idx, e);
        },
      },
      { ...opts, name: what },
    );
    return { img, repoTags };
  }
  if (idx.entries.has('index.json')) {
    const store = tarStore(idx, what);
    return { img: await toImage(store, await getFromStore(store, { tag: sel.ref, platform: sel.platform }, opts), sel.platform, opts), repoTags: [] };
  }
  throw new BosunError('OCI_SOURCE_INVALID', `${what}: neither manifest.json nor index.json (not a docker-archive)`);
}

/**
 * Reads one image from a docker-archive (`docker save`, `skopeo copy … docker-archive:`),
 * plain, gzip or zstd compressed, from a file or a stream (spooled to a temp file). The tar
 * is indexed once and members are read by offset. Every blob is verified as it is read.
 * Call `close()` when done. Throws OCI_SOURCE_INVALID (malformed or truncated archive),
 * OCI_PATH_UNSAFE (a member name with `..` or an absolute path), OCI_BLOB_UNKNOWN,
 * OCI_MANIFEST_UNKNOWN / OCI_SELECTOR_AMBIGUOUS (selection), LIMIT_EXCEEDED, IO_FAILED.
 */
export async function image(source: TarSource, sel: ArchiveSelector = {}, opts: ArchiveOptions = {}): Promise<ArchiveImage> {
  const what = typeof source === 'string' ? `docker-archive "${source}"` : 'docker-archive (stream)';
  const local = await localTar(source, what, opts);
  try {
    const idx = await indexTar(local.path, what);
    const { img, repoTags } = await imageFromIndex(idx, sel, what, opts);
    return { ...img, repoTags, close: local.cleanup };
  } catch (err) {
    await local.cleanup();
    throw err;
  }
}
