import { BosunError } from '../../errors.js';
import { isDigest, type Digest } from '../digest.js';
import { limits } from '../limits.js';
import { parseManifest, parsePlatform, selectPlatform } from '../manifest.js';
import { isIndex, manifestAccept } from '../media-types.js';
import { fromCore } from '../partial.js';
import { formatReference, identifierOf, parseReference, type Reference } from '../reference.js';
import type { Descriptor, Image, ImageCore, ImageIndex, Index, Platform } from '../types.js';
import { fetchManifest, mediaTypeOf, openBlob, type FetchedManifest } from './fetch.js';
import { discard } from './errors.js';
import type { RemoteOptions } from './options.js';
import { Session } from './session.js';

/** What a reference names: one image, or an index of them. */
export type Fetched = { kind: 'image'; image: Image } | { kind: 'index'; index: ImageIndex };

function toRef(ref: string | Reference): Reference {
  return typeof ref === 'string' ? parseReference(ref) : ref;
}

function remoteImage(session: Session, fetched: FetchedManifest, name: string, opts: RemoteOptions): Image {
  const core: ImageCore = {
    rawManifest: async () => fetched.raw,
    manifestDigest: async () => fetched.digest,
    openBlob: (desc, signal) => openBlob(session, desc, name, signal),
  };
  return fromCore(opts.decorate ? opts.decorate(core, name) : core, { name });
}

function remoteIndex(session: Session, fetched: FetchedManifest, index: Index, name: string, opts: RemoteOptions): ImageIndex {
  const child = async (digest: Digest, want: 'manifest' | 'index') => {
    const f = await fetchManifest(session, digest, `${name}@${digest}`);
    const parsed = parseManifest(f.raw, `manifest ${name}@${digest}`, f.mediaType);
    if (parsed.kind !== want) {
      throw new BosunError('OCI_MANIFEST_INVALID', `${name}@${digest}: expected ${want === 'index' ? 'an index' : 'an image manifest'}, found ${parsed.kind === 'index' ? 'an index' : 'an image manifest'}`);
    }
    return { f, parsed };
  };
  return {
    rawManifest: async () => fetched.raw,
    manifest: async () => index,
    digest: async () => fetched.digest,
    image: async (digest) => remoteImage(session, (await child(digest, 'manifest')).f, `${name}@${digest}`, opts),
    index: async (digest) => {
      const { f, parsed } = await child(digest, 'index');
      return remoteIndex(session, f, (parsed as { kind: 'index'; index: Index }).index, `${name}@${digest}`, opts);
    },
  };
}

/**
 * Fetches what a reference names. With `name:tag@digest` the digest wins. The manifest is
 * verified (see `fetchManifest`) and parsed (Docker schema 1 is refused with
 * OCI_MANIFEST_UNSUPPORTED). Blobs are fetched lazily and verified as they stream.
 */
export async function get(ref: string | Reference, opts: RemoteOptions = {}): Promise<Fetched> {
  const r = toRef(ref);
  const name = formatReference(r);
  const session = new Session(r.registry, r.repository, 'pull', opts);
  const fetched = await fetchManifest(session, identifierOf(r), name);
  const parsed = parseManifest(fetched.raw, `manifest ${name}`, fetched.mediaType);
  if (parsed.kind === 'manifest') return { kind: 'image', image: remoteImage(session, fetched, name, opts) };
  return { kind: 'index', index: remoteIndex(session, fetched, parsed.index, name, opts) };
}

// An index that only wraps another index (no platform on the entry) is looked through.
function pick(index: Index, platform: Platform | undefined, name: string): Descriptor {
  const only = index.manifests.length === 1 ? index.manifests[0]! : undefined;
  if (only && isIndex(only.mediaType) && !only.platform) return only;
  return selectPlatform(index, platform, name);
}

/**
 * Fetches one image. From an index it selects `opts.platform` (default linux/amd64, or the
 * index's only image), following nested indexes up to `limits.indexDepth`.
 * Throws OCI_PLATFORM_NOT_FOUND besides what `get` throws.
 */
export async function image(ref: string | Reference, opts: RemoteOptions = {}): Promise<Image> {
  const r = toRef(ref);
  const name = formatReference(r);
  const got = await get(r, opts);
  if (got.kind === 'image') return got.image;
  const platform: Platform | undefined = typeof opts.platform === 'string' ? parsePlatform(opts.platform) : opts.platform;
  let index = got.index;
  for (let depth = 0; depth < limits.indexDepth; depth++) {
    const desc = pick(await index.manifest(), platform, name);
    if (!isIndex(desc.mediaType)) return index.image(desc.digest);
    index = await index.index(desc.digest);
  }
  throw new BosunError('LIMIT_EXCEEDED', `${name}: indexes nested deeper than ${limits.indexDepth}`);
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The descriptor a reference points to (for a tag: the digest it currently names). Asks with
 * HEAD and falls back to GET when the registry refuses HEAD or omits the digest, type or size.
 * Throws OCI_MANIFEST_UNKNOWN, OCI_DIGEST_MISMATCH, REGISTRY_*.
 */
export async function resolve(ref: string | Reference, opts: RemoteOptions = {}): Promise<Descriptor> {
  const r = toRef(ref);
  const name = formatReference(r);
  const session = new Session(r.registry, r.repository, 'pull', opts);
  const res = await session.request({
    method: 'HEAD', path: `/v2/${r.repository}/manifests/${identifierOf(r)}`, headers: { accept: manifestAccept },
    what: `HEAD manifest ${name}`, expect: [200, 400, 405, 501], notFound: 'OCI_MANIFEST_UNKNOWN',
  });
  discard(res.body);
  const digest = header(res.headers['docker-content-digest']);
  const mediaType = mediaTypeOf(res.headers['content-type']);
  const size = Number(header(res.headers['content-length']));
  if (res.status === 200 && digest && isDigest(digest) && mediaType && Number.isSafeInteger(size) && size > 0) {
    if (r.digest && digest !== r.digest) {
      throw new BosunError('OCI_DIGEST_MISMATCH', `manifest ${name}: registry reports digest ${digest}`);
    }
    return { mediaType, digest, size };
  }
  const fetched = await fetchManifest(session, identifierOf(r), name);
  const parsed = parseManifest(fetched.raw, `manifest ${name}`, fetched.mediaType);
  const type = parsed.kind === 'index' ? parsed.index.mediaType : parsed.manifest.mediaType;
  return { mediaType: type, digest: fetched.digest, size: fetched.raw.length };
}
