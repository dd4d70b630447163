import { z } from 'zod';
import { BosunError, isBosunError } from '../../errors.js';
import { digestOf, isDigest, verifyBytes, type Digest } from '../digest.js';
import { limits } from '../limits.js';
import { MediaTypes, manifestAccept } from '../media-types.js';
import { readAll } from '../read-all.js';
import type { Descriptor } from '../types.js';
import { discard } from './errors.js';
import { fetchManifest, guardBody, mediaTypeOf, openBlob, type FetchedManifest } from './fetch.js';
import type { RemoteOptions } from './options.js';
import { Session, type Actions } from './session.js';

/** What `Repository.referrers` found, and whether the registry's referrers API answered. */
export interface Referrers {
  readonly manifests: readonly Descriptor[];
  readonly source: 'api' | 'tag' | 'none';
}

/** The outcome of a manifest PUT. `subject` is the registry's `OCI-Subject` header (referrers API support). */
export interface PushedManifest {
  readonly descriptor: Descriptor;
  readonly subject?: string;
}

const descriptorSchema = z.object({
  mediaType: z.string().max(256),
  digest: z.string().refine(isDigest, 'digest'),
  size: z.number().int().nonnegative(),
  artifactType: z.string().max(256).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
}).loose();
const indexSchema = z.object({ manifests: z.array(descriptorSchema).max(limits.indexEntries) }).loose();

/** How long a session trusts a "no referrers API" answer before asking again. */
const noReferrersApiMs = 60_000;

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** The tag the referrers tag schema uses for `digest` (`sha256-<hex>`). */
export function referrersTag(digest: Digest): string {
  return digest.replace(':', '-');
}

/**
 * One repository, for reading and writing artifacts (signatures, attestations, referrers) as
 * raw bytes: one session, so a run of small requests pays for the ping and token once.
 * Every read is size-capped and digest-checked; nothing is re-serialised on the way out.
 */
export class Repository {
  private readonly session: Session;
  /**
   * When the referrers API last answered "not supported" (404/400/405, per distribution-spec
   * "Listing Referrers"), in ms. Within `noReferrersApiMs` the session goes straight to the tag
   * schema: one round trip saved per image when verifying many; rechecked after the window.
   */
  private noReferrersApiSince: number | undefined;

  constructor(readonly registry: string, readonly repository: string, actions: Actions, opts: RemoteOptions = {}) {
    this.session = new Session(registry, repository, actions, opts);
  }

  private get name(): string {
    return `${this.registry}/${this.repository}`;
  }

  /** A manifest by tag or digest, or undefined when the registry has none (404). */
  async manifest(id: string): Promise<FetchedManifest | undefined> {
    try {
      return await fetchManifest(this.session, id, `${this.name}:${id}`);
    } catch (err) {
      if (isBosunError(err, 'OCI_MANIFEST_UNKNOWN')) return undefined;
      throw err;
    }
  }

  /**
   * The digest a tag (or digest) names now: HEAD, falling back on GET when the registry omits
   * Docker-Content-Digest. Throws OCI_MANIFEST_UNKNOWN, REGISTRY_*.
   */
  async resolve(id: string): Promise<Digest> {
    const what = `HEAD manifest ${this.name}:${id}`;
    const res = await this.session.request({ method: 'HEAD', path: `/v2/${this.repository}/manifests/${id}`, headers: { accept: manifestAccept }, what, expect: [200, 400, 405, 501], notFound: 'OCI_MANIFEST_UNKNOWN' });
    discard(res.body);
    const digest = header(res.headers['docker-content-digest']);
    if (res.status === 200 && digest && isDigest(digest) && (!isDigest(id) || digest === id)) return digest;
    const fetched = await this.manifest(id);
    if (!fetched) throw new BosunError('OCI_MANIFEST_UNKNOWN', `manifest ${this.name}:${id} is unknown`);
    return fetched.digest;
  }

  /**
   * A blob read whole, at most `maxBytes`: a larger declared size is refused before any byte is
   * fetched, and the bytes must hash to the descriptor's digest.
   * Throws LIMIT_EXCEEDED, OCI_BLOB_UNKNOWN, OCI_DIGEST_MISMATCH, REGISTRY_*.
   */
  async blob(desc: Descriptor, maxBytes: number): Promise<Buffer> {
    const what = `blob ${desc.digest} of ${this.name}`;
    if (desc.size > maxBytes) throw new BosunError('LIMIT_EXCEEDED', `${what}: ${desc.size} bytes is over the ${maxBytes}-byte limit`);
    const raw = await readAll(await openBlob(this.session, desc, this.name), maxBytes, what);
    verifyBytes(raw, desc.digest, what);
    return raw;
  }

  /** Uploads bytes as a blob (skipped when present) and returns its descriptor. */
  async pushBlob(bytes: Uint8Array, mediaType: string): Promise<Descriptor> {
    const desc: Descriptor = { mediaType, digest: digestOf(bytes), size: bytes.byteLength };
    const what = `blob ${desc.digest} to ${this.name}`;
    const blobPath = `/v2/${this.repository}/blobs/${desc.digest}`;
    const head = await this.session.request({ method: 'HEAD', path: blobPath, what: `HEAD ${what}`, expect: [200, 404] });
    discard(head.body);
    if (head.status === 200) return desc;
    const start = await this.session.request({ method: 'POST', path: `/v2/${this.repository}/blobs/uploads/`, body: new Uint8Array(0), what: `POST ${what}`, expect: [202] });
    discard(start.body);
    const location = header(start.headers.location);
    if (!location) throw new BosunError('REGISTRY_PROTOCOL', `POST ${what}: upload started without a Location`);
    const url = new URL(location, start.url);
    url.searchParams.set('digest', desc.digest);
    const put = await this.session.request({
      method: 'PUT', path: url, body: bytes, what: `PUT ${what}`, expect: [201, 204],
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.byteLength) },
    });
    discard(put.body);
    return desc;
  }

  /**
   * PUTs manifest bytes exactly as given under `id` (a tag, or its own digest). `ifMatch` is sent
   * as `If-Match` so registries with conditional writes refuse a lost update (412 becomes
   * REGISTRY_CONFLICT); others ignore it. Throws OCI_DIGEST_MISMATCH, REGISTRY_*.
   */
  async pushManifest(id: string, raw: Uint8Array, mediaType: string, ifMatch?: Digest): Promise<PushedManifest> {
    const descriptor: Descriptor = { mediaType, digest: digestOf(raw), size: raw.byteLength };
    const what = `PUT manifest ${this.name}:${id}`;
    const res = await this.session.request({
      method: 'PUT', path: `/v2/${this.repository}/manifests/${id}`, body: raw, what, expect: [200, 201, 204, 412],
      headers: { 'content-type': mediaType, ...(ifMatch ? { 'if-match': `"${ifMatch}"` } : {}) },
    });
    discard(res.body);
    if (res.status === 412) throw new BosunError('REGISTRY_CONFLICT', `${what}: the tag changed since it was read`);
    const got = header(res.headers['docker-content-digest']);
    if (got !== undefined && isDigest(got) && got !== descriptor.digest) {
      throw new BosunError('OCI_DIGEST_MISMATCH', `${what}: registry stored it as ${got}, expected ${descriptor.digest}`);
    }
    const subject = header(res.headers['oci-subject']);
    return subject ? { descriptor, subject } : { descriptor };
  }

  /**
   * The manifests that name `digest` as their subject: from the referrers API
   * (`GET /v2/<name>/referrers/<digest>`) when the registry has one, else from the tag-schema
   * index `sha256-<hex>`. At most `limits.indexEntries` entries; filtering is the caller's.
   */
  async referrers(digest: Digest): Promise<Referrers> {
    const what = `referrers of ${this.name}@${digest}`;
    const known = this.noReferrersApiSince !== undefined && Date.now() - this.noReferrersApiSince < noReferrersApiMs;
    if (!known) {
      const res = await this.session.request({ method: 'GET', path: `/v2/${this.repository}/referrers/${digest}`, headers: { accept: MediaTypes.ociIndex }, what: `GET ${what}`, expect: [200, 400, 404, 405] });
      if (res.status === 200 && mediaTypeOf(res.headers['content-type']) === MediaTypes.ociIndex) {
        this.noReferrersApiSince = undefined;
        const raw = await readAll(guardBody(res.body, what), limits.manifestBytes, what);
        return { manifests: parseReferrersIndex(raw, what), source: 'api' };
      }
      discard(res.body);
      this.noReferrersApiSince = Date.now();
    }
    const fallback = await this.manifest(referrersTag(digest));
    if (!fallback) return { manifests: [], source: 'none' };
    return { manifests: parseReferrersIndex(fallback.raw, `${what} (tag ${referrersTag(digest)})`), source: 'tag' };
  }
}

/** Parses a referrers index (API answer or tag-schema index). Throws OCI_MANIFEST_INVALID. */
export function parseReferrersIndex(raw: Uint8Array, what: string): Descriptor[] {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch (err) {
    throw new BosunError('OCI_MANIFEST_INVALID', `${what}: not JSON`, { cause: err });
  }
  const parsed = indexSchema.safeParse(doc);
  if (!parsed.success) throw new BosunError('OCI_MANIFEST_INVALID', `${what}: not an image index`, { cause: parsed.error });
  return parsed.data.manifests as Descriptor[];
}
