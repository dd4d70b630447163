import { BosunError } from '../errors.js';
import { digestOf, VerifyingStream, type Digest } from './digest.js';
import { limits } from './limits.js';
import { blobPath, dirStore, readLayoutIndex, refNameAnnotation, type LayoutStore } from './layout-store.js';
import { parseManifest, selectPlatform, type ParsedManifest } from './manifest.js';
import { isImageManifest, isIndex } from './media-types.js';
import { fromCore, type FromCoreOptions } from './partial.js';
import { readAll } from './read-all.js';
import type { Descriptor, Image, ImageIndex, Index, Platform } from './types.js';
import { pipeThrough } from './pipe-through.js';

export { write } from './layout-write.js';
export { refNameAnnotation, readLayoutIndex };

// spec: image-spec image-layout.md
//
//   DIR/
//   ├── oci-layout          {"imageLayoutVersion": "1.0.0"}
//   ├── index.json          an image index; entries may carry org.opencontainers.image.ref.name
//   └── blobs/<alg>/<hex>   content-addressed manifests, configs and layers

/**
 * Picks what to read from a layout (or from an archive's index). At most one of `tag` and
 * `digest`; without either, the layout must hold a single entry (or untagged per-platform
 * entries, from which `platform` picks). `platform` also picks through nested indexes.
 */
export interface LayoutSelector {
  tag?: string;
  digest?: Digest;
  platform?: Platform;
}

export type ResolvedManifest = { kind: 'image'; image: Image } | { kind: 'index'; index: ImageIndex };

export type ReadOptions = Partial<Omit<FromCoreOptions, 'name'>>;

function tagsOf(index: Index): string[] {
  return index.manifests.map((d) => d.annotations?.[refNameAnnotation]).filter((t): t is string => t !== undefined);
}

/**
 * The entry of a layout's index.json that `sel` names, or 'root' when the index.json itself
 * is the multi-platform index to pick from. Throws OCI_MANIFEST_UNKNOWN, OCI_SELECTOR_AMBIGUOUS.
 */
export function selectEntry(index: Index, sel: LayoutSelector, name: string): Descriptor | 'root' {
  const tags = tagsOf(index);
  const listed = tags.length ? tags.map((t) => `"${t}"`).join(', ') : 'none';
  if (sel.digest) {
    const hit = index.manifests.find((d) => d.digest === sel.digest);
    if (!hit) throw new BosunError('OCI_MANIFEST_UNKNOWN', `${name}: no entry with digest ${sel.digest}`);
    return hit;
  }
  if (sel.tag !== undefined) {
    const hits = index.manifests.filter((d) => d.annotations?.[refNameAnnotation] === sel.tag);
    if (hits.length === 0) throw new BosunError('OCI_MANIFEST_UNKNOWN', `${name}: no tag "${sel.tag}" (tags: ${listed})`);
    if (hits.length > 1 && !hits.every((d) => d.digest === hits[0]!.digest)) {
      throw new BosunError('OCI_SELECTOR_AMBIGUOUS', `${name}: tag "${sel.tag}" names ${hits.length} different manifests`);
    }
    return hits[0]!;
  }
  if (index.manifests.length === 1) return index.manifests[0]!;
  if (index.manifests.length === 0) throw new BosunError('OCI_MANIFEST_UNKNOWN', `${name}: the layout holds no images`);
  if (tags.length === 0 && index.manifests.every((d) => d.platform)) return 'root';
  throw new BosunError('OCI_SELECTOR_AMBIGUOUS', `${name}: holds ${index.manifests.length} entries; name one by tag (tags: ${listed})`);
}

/** Reads a manifest or index blob, verified against its descriptor before it is parsed. */
export async function readManifestBlob(store: LayoutStore, desc: Descriptor): Promise<{ raw: Buffer; parsed: ParsedManifest }> {
  const what = `${store.name}: manifest ${desc.digest}`;
  if (desc.size > limits.manifestBytes) {
    throw new BosunError('LIMIT_EXCEEDED', `${what}: ${desc.size} bytes is over the ${limits.manifestBytes}-byte limit`);
  }
  const raw = await readAll(pipeThrough(await store.open(blobPath(desc.digest)), new VerifyingStream(desc.digest, what, desc.size)), limits.manifestBytes, what);
  return { raw, parsed: parseManifest(raw, what, desc.mediaType) };
}

/** An `Image` over a layout store; every blob is verified by `fromCore`. */
export function storeImage(store: LayoutStore, raw: Buffer, digest: Digest, opts: ReadOptions = {}): Image {
  return fromCore(
    {
      rawManifest: async () => raw,
      manifestDigest: async () => digest,
      openBlob: async (d) => store.open(blobPath(d.digest)),
    },
    { ...opts, name: `${store.name}@${digest}` },
  );
}

/** An `ImageIndex` over a layout store. `image`/`index` accept only digests the index lists. */
export function storeIndex(store: LayoutStore, raw: Buffer, index: Index, opts: ReadOptions = {}): ImageIndex {
  const child = async (digest: Digest, want: 'image' | 'index') => {
    const desc = index.manifests.find((d) => d.digest === digest);
    if (!desc) throw new BosunError('OCI_MANIFEST_UNKNOWN', `${store.name}: index does not list ${digest}`);
    const r = await resolveDescriptor(store, desc, opts);
    if (r.kind !== want) throw new BosunError('OCI_MANIFEST_INVALID', `${store.name}: ${digest} is not an image ${want === 'image' ? 'manifest' : 'index'}`);
    return r;
  };
  return {
    rawManifest: async () => raw,
    manifest: async () => index,
    digest: async () => digestOf(raw),
    image: async (d) => ((await child(d, 'image')) as { image: Image }).image,
    index: async (d) => ((await child(d, 'index')) as { index: ImageIndex }).index,
  };
}

/** Reads what a descriptor points at, as an image or an index. */
export async function resolveDescriptor(store: LayoutStore, desc: Descriptor, opts: ReadOptions = {}): Promise<ResolvedManifest> {
  if (!isImageManifest(desc.mediaType) && !isIndex(desc.mediaType)) {
    throw new BosunError('OCI_MANIFEST_UNSUPPORTED', `${store.name}: ${desc.digest} has media type "${desc.mediaType}", not an image or index`);
  }
  const { raw, parsed } = await readManifestBlob(store, desc);
  if (parsed.kind === 'manifest') return { kind: 'image', image: storeImage(store, raw, desc.digest, opts) };
  return { kind: 'index', index: storeIndex(store, raw, parsed.index, opts) };
}

/** Follows indexes (at most `limits.indexDepth` deep), picking `platform` at each level. */
export async function toImage(store: LayoutStore, start: ResolvedManifest, platform: Platform | undefined, opts: ReadOptions = {}): Promise<Image> {
  let cur = start;
  for (let depth = 0; cur.kind === 'index'; depth++) {
    if (depth >= limits.indexDepth) throw new BosunError('LIMIT_EXCEEDED', `${store.name}: indexes nested more than ${limits.indexDepth} deep`);
    const desc = selectPlatform(await cur.index.manifest(), platform, store.name);
    cur = await resolveDescriptor(store, desc, opts);
  }
  return cur.image;
}

/** `get` over any layout store (a directory, or an archive's members). */
export async function getFromStore(store: LayoutStore, sel: LayoutSelector = {}, opts: ReadOptions = {}): Promise<ResolvedManifest> {
  const { raw, index } = await readLayoutIndex(store);
  const entry = selectEntry(index, sel, store.name);
  if (entry === 'root') return { kind: 'index', index: storeIndex(store, raw, index, opts) };
  return resolveDescriptor(store, entry, opts);
}

/**
 * Reads the entry of the layout at `dir` that `sel` names, as an image or an index (as
 * stored: a platform is not picked here). Throws OCI_SOURCE_INVALID (not a layout),
 * OCI_MANIFEST_UNKNOWN, OCI_SELECTOR_AMBIGUOUS (lists the tags), LIMIT_EXCEEDED,
 * OCI_DIGEST_MISMATCH, OCI_BLOB_UNKNOWN, OCI_PATH_UNSAFE.
 */
export async function get(dir: string, sel: LayoutSelector = {}, opts: ReadOptions = {}): Promise<ResolvedManifest> {
  return getFromStore(dirStore(dir), sel, opts);
}

/**
 * The single-platform image of the layout at `dir` that `sel` names, following nested indexes
 * and picking `sel.platform` (default linux/amd64, else the only one). Throws as `get`, and
 * OCI_PLATFORM_NOT_FOUND.
 */
export async function image(dir: string, sel: LayoutSelector = {}, opts: ReadOptions = {}): Promise<Image> {
  const store = dirStore(dir);
  return toImage(store, await getFromStore(store, sel, opts), sel.platform, opts);
}
