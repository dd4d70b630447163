import type { Digest } from '../../oci/digest.js';
import type { Descriptor } from '../../oci/types.js';
import type { LifecycleStore } from '../lifecycle/lifecycle-store.js';

/** A manifest as the registry records it; its bytes live in the BlobStore under its digest. */
export interface ManifestRecord {
  repo: string;
  digest: Digest;
  mediaType: string;
  size: number;
  /** Set when the manifest has a `subject`: it is then a referrer of that digest. */
  subject?: Digest;
  /** `artifactType`, else the config media type of an image manifest (referrers API rule). */
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface UploadRecord {
  id: string;
  repo: string;
  /** Bytes received so far. */
  size: number;
  /** Milliseconds since the epoch of the last request that touched the session. */
  updatedAt: number;
}

/**
 * A precondition on a tag, checked inside the transaction of the write that would change it,
 * so it holds across processes sharing the database (immutable tags use it).
 */
export interface TagGuard {
  /**
   * Throws (the write is then not made) when `tag`, which names `current` now (undefined:
   * absent), may not come to name `next` (undefined: removed).
   */
  check(tag: string, current: Digest | undefined, next: Digest | undefined): void;
}

/** `n` entries after `last` in lexical (byte) order. */
export interface Page {
  n: number;
  last?: string;
}

/**
 * Registry metadata: repositories, the blobs each may see, manifests, tags, referrers and
 * upload sessions.
 *
 * Implementer obligations:
 * - A repository exists once something was linked or recorded in it; it is created implicitly.
 * - `putManifest` records the manifest, its blob link, its push time and (when given) the tag
 *   in one transaction that is durable when the promise resolves. When `refs` is given (the
 *   config, layers or child manifests the manifest needs), the same transaction checks that
 *   each is still linked in (or a manifest of) the repository, throwing
 *   REGISTRY_SERVE_MANIFEST_BLOB_UNKNOWN otherwise, and records them for garbage collection:
 *   a concurrent GC sweep either sees the new manifest or the put fails.
 * - `linkBlob` records when the link was made (GC's grace period counts from it).
 * - With a `guard`, the write calls `guard.check` inside its transaction, after taking a lock
 *   that serialises it with every other guarded write of the same tag (from any process):
 *   `putManifest` for its tag, `deleteTag` for the tag, `deleteManifest` for each tag of the
 *   digest. A throw aborts the write. Without a guard, behaviour is unchanged.
 * - `deleteManifest` also removes every tag pointing at it; it returns false when absent.
 * - Listing is bounded by `page.n`; callers cap `n`, implementations never scan past it.
 * - Failures throw REGISTRY_SERVE_STORE_FAILED.
 */
export interface MetaStore {
  linkBlob(repo: string, digest: Digest, size: number): Promise<void>;
  blobLink(repo: string, digest: Digest): Promise<{ size: number } | undefined>;
  unlinkBlob(repo: string, digest: Digest): Promise<boolean>;
  /**
   * At most `limit` repositories holding a link to `digest`, oldest repository first (the
   * order they were created in, which never changes): the candidates of an automatic
   * cross-repository mount. Served from an index on (digest, repository), never scanning past
   * `limit`; callers cap `limit`.
   */
  repositoriesLinking(digest: Digest, limit: number): Promise<string[]>;
  putManifest(record: ManifestRecord, tag?: string, refs?: readonly Digest[], guard?: TagGuard): Promise<void>;
  getManifest(repo: string, digest: Digest): Promise<ManifestRecord | undefined>;
  resolveTag(repo: string, tag: string): Promise<ManifestRecord | undefined>;
  deleteManifest(repo: string, digest: Digest, guard?: TagGuard): Promise<boolean>;
  deleteTag(repo: string, tag: string, guard?: TagGuard): Promise<boolean>;
  /** The tags of `repo` pointing at `digest`, in lexical order after `page.last`. */
  tagsOf(repo: string, digest: Digest, page: Page): Promise<string[]>;
  /** Undefined when the repository does not exist. */
  listTags(repo: string, page: Page): Promise<string[] | undefined>;
  listRepositories(page: Page): Promise<string[]>;
  /**
   * At most `limit` referrer descriptors of `subject` in digest order, those after `after`
   * when given (a page cursor), optionally of one artifactType.
   */
  referrers(repo: string, subject: Digest, opts: { artifactType?: string; limit: number; after?: Digest }): Promise<Descriptor[]>;
  createUpload(record: UploadRecord): Promise<void>;
  getUpload(id: string): Promise<UploadRecord | undefined>;
  setUploadSize(id: string, size: number, updatedAt: number): Promise<void>;
  deleteUpload(id: string): Promise<void>;
  /** Sessions not touched since `before` (ms since epoch), oldest first, at most `limit`. */
  staleUploads(before: number, limit: number): Promise<UploadRecord[]>;
  listUploadIds(): Promise<string[]>;
  /** Garbage collection and retention support; absent when the store cannot do them. */
  lifecycle?(): LifecycleStore;
  close(): Promise<void>;
}

/** A referrer as the referrers API lists it: the manifest's descriptor with its artifactType and annotations. */
export function referrerDescriptor(r: ManifestRecord): Descriptor {
  const d: Descriptor = { mediaType: r.mediaType, digest: r.digest, size: r.size };
  if (r.artifactType !== undefined) d.artifactType = r.artifactType;
  if (r.annotations !== undefined) d.annotations = r.annotations;
  return d;
}
