import { BosunError } from '../../errors.js';
import { isDigest, type Digest } from '../../oci/digest.js';
import { limits } from '../../oci/limits.js';
import { parseManifest } from '../../oci/manifest.js';
import { readAll } from '../../oci/read-all.js';
import type { BlobStore } from '../blob-store/blob-store.js';
import { blobKey, blobsPrefix } from '../blob-store/paths.js';
import { referenced } from '../manifest-push.js';
import type { MetaStore } from '../meta-store/meta-store.js';
import { contentGuard } from './content-guard.js';
import type { LifecycleStore, RemovedEntry, SweepOptions } from './lifecycle-store.js';

/** Default grace period: content, links and manifests younger than this are never swept. */
export const defaultGraceMs = 3600 * 1000;

export type GcRemovedKind = 'manifest' | 'link' | 'blob';

export interface GcOptions {
  /** Grace period in ms (default 1 h). */
  graceMs?: number;
  /** Also remove manifests no tag reaches (default false, as distribution). */
  deleteUntagged?: boolean;
  /** Report what would go; change nothing (beyond recording manifests' references). */
  dryRun?: boolean;
  /** The clock, ms since epoch (tests). */
  now?: number;
  /** Called for each removal as it happens (or would happen), e.g. to print progress. */
  onRemoved?: (kind: GcRemovedKind, entry: RemovedEntry) => void;
  /** Test seams: run between the metadata sweep and the content sweep, and before deletions. */
  hooks?: { afterMark?: () => Promise<void>; beforeSweep?: (candidates: readonly Digest[]) => Promise<void> };
  signal?: AbortSignal;
}

export interface GcReport {
  dryRun: boolean;
  /** Manifests removed (untagged with deleteUntagged, or referrers of a removed subject). */
  manifests: RemovedEntry[];
  /** Blob links no kept manifest referenced. */
  links: RemovedEntry[];
  /** Content deleted from the blob store (`repo` is empty: content is global). */
  blobs: RemovedEntry[];
  bytesFreed: number;
}

/** The registry's stores, as GC and retention take them. */
export interface LifecycleStores {
  blobs: BlobStore;
  meta: MetaStore;
}

/**
 * Runs a GC or retention pass alone: under the store's fleet-wide lock when it has one
 * (PostgreSQL; REGISTRY_GC_BUSY while another process runs one), else as is (SQLite, where
 * the data directory has one owner).
 */
export function exclusively<T>(life: LifecycleStore, fn: () => Promise<T>): Promise<T> {
  return life.runExclusive ? life.runExclusive(fn) : fn();
}

/** The LifecycleStore of a MetaStore; throws REGISTRY_GC_UNSUPPORTED without one. */
export function lifecycleOf(meta: MetaStore): LifecycleStore {
  if (!meta.lifecycle) throw new BosunError('REGISTRY_GC_UNSUPPORTED', 'this metadata store has no garbage collection or retention support');
  return meta.lifecycle();
}

function digestOfKey(key: string): Digest | undefined {
  const m = /^blobs\/(sha256|sha512)\/[0-9a-f]{2}\/([0-9a-f]+)$/.exec(key);
  const digest = m ? `${m[1]}:${m[2]}` : '';
  return isDigest(digest) && blobKey(digest) === key ? digest : undefined;
}

// Manifests pushed before references were recorded: read and record them once.
async function backfillRefs(blobs: BlobStore, life: LifecycleStore): Promise<void> {
  for (;;) {
    const batch = await life.manifestsWithoutRefs(200);
    for (const { repo, digest } of batch) {
      let refs: Digest[] | undefined;
      try {
        const raw = await readAll(await blobs.read(blobKey(digest)), limits.manifestBytes, `manifest ${digest}`);
        refs = referenced(parseManifest(raw, `manifest ${digest}`)).map((d) => d.digest);
      } catch {
        // Unreadable: recorded as such, which pins every link of its repository.
        refs = undefined;
      }
      await life.recordRefs(repo, digest, refs);
    }
    if (batch.length < 200) return;
  }
}

/** Stored content older than `cutoff` (or of unknown age), with its size. */
async function oldContent(blobs: BlobStore, cutoff: number): Promise<Map<Digest, number>> {
  const out = new Map<Digest, number>();
  for await (const key of blobs.list(blobsPrefix)) {
    const digest = digestOfKey(key);
    if (!digest) continue;
    const modified = blobs.lastModified ? await blobs.lastModified(key) : 0;
    if (modified === undefined || modified >= cutoff) continue;
    const st = await blobs.stat(key);
    if (st) out.set(digest, st.size);
  }
  return out;
}

/**
 * Online mark-and-sweep garbage collection of a registry's stores.
 *
 * 1. Metadata, one transaction per repository (marking and removal see one snapshot):
 *    manifests reachable from no root (tags; manifests pushed within the grace period; unless
 *    `deleteUntagged`, every non-referrer; then child manifests and referrers of live ones,
 *    see mark.ts) are removed, and so are blob links no kept manifest references that were
 *    made before the grace period.
 * 2. Content: blobs stored before the grace period that nothing references any more
 *    (no link, no manifest, no reference from a manifest in any repository) are deleted.
 *
 * Why a concurrent push is safe:
 * - A blob uploaded during GC is linked the moment its upload completes, and the link
 *   records its time; links younger than the grace period are never swept, so the manifest
 *   that will reference it finds it. Content with any link is never deleted.
 * - Every request that relies on content already being stored (an upload of bytes the store
 *   already holds, a mount, a manifest's own bytes) holds the digest in the ContentGuard from
 *   its content check until its link commits. The sweep re-checks `isReferenced` and deletes
 *   only under the guard, skipping digests in use, and requests arriving meanwhile wait and
 *   then store the bytes afresh. So either the sweep sees the new link, or the request sees
 *   the content gone.
 * - A manifest put re-checks that its references are linked inside the transaction that
 *   records it (MetaStore.putManifest). Phase 1 removes links inside transactions too, so the
 *   put either commits first (and its references are marked) or finds a link gone and fails
 *   with MANIFEST_BLOB_UNKNOWN; it never commits pointing at deleted content. Content it
 *   references is then linked, so phase 2 keeps it.
 * - A kill at any point is safe: phase-1 transactions commit durably (fsynced) or not at all,
 *   and phase 2 deletes only content that no committed metadata references.
 *
 * On SQLite another process must not write the stores meanwhile (the guard is per process):
 * callers outside the server claim the data directory first (LifecycleStore.claimOwner). On
 * PostgreSQL the guard extends to every replica (LifecycleStore.holdContent/sweepContent,
 * attached with `shareContentGuard`), sweeps lock each repository against writes, and one run
 * at a time is allowed across the fleet (`runExclusive`; REGISTRY_GC_BUSY otherwise).
 */
export async function collectGarbage(stores: LifecycleStores, opts: GcOptions = {}): Promise<GcReport> {
  const life = lifecycleOf(stores.meta);
  return exclusively(life, () => collect(stores, life, opts));
}

async function collect(stores: LifecycleStores, life: LifecycleStore, opts: GcOptions): Promise<GcReport> {
  const dryRun = opts.dryRun ?? false;
  const sweep: SweepOptions = { cutoff: (opts.now ?? Date.now()) - (opts.graceMs ?? defaultGraceMs), deleteUntagged: opts.deleteUntagged ?? false, sweepLinks: true };
  const report: GcReport = { dryRun, manifests: [], links: [], blobs: [], bytesFreed: 0 };
  const emit = (kind: GcRemovedKind, e: RemovedEntry) => opts.onRemoved?.(kind, e);
  await backfillRefs(stores.blobs, life);
  const content = await oldContent(stores.blobs, sweep.cutoff);
  for (const repo of await life.repositories()) {
    opts.signal?.throwIfAborted();
    const removed = await life.sweepRepository(repo, { ...sweep, dryRun });
    for (const m of removed.manifests) emit('manifest', m);
    for (const l of removed.links) emit('link', l);
    report.manifests.push(...removed.manifests);
    report.links.push(...removed.links);
  }
  await opts.hooks?.afterMark?.();
  const digests = [...content.keys()];
  const kept = dryRun ? await life.referencedAfterSweep(digests, sweep) : await life.referencedNow(digests);
  const candidates = digests.filter((d) => !kept.has(d));
  await opts.hooks?.beforeSweep?.(candidates);
  for (const digest of candidates) {
    opts.signal?.throwIfAborted();
    const entry: RemovedEntry = { repo: '', digest, size: content.get(digest)! };
    if (!dryRun && !(await deleteIfUnreferenced(stores.blobs, life, digest))) continue;
    emit('blob', entry);
    report.blobs.push(entry);
    report.bytesFreed += entry.size;
  }
  return report;
}

async function deleteIfUnreferenced(blobs: BlobStore, life: LifecycleStore, digest: Digest): Promise<boolean> {
  let deleted = false;
  await contentGuard(blobs).sweep(digest, async () => {
    if (await life.isReferenced(digest)) return;
    await blobs.delete(blobKey(digest));
    deleted = true;
  });
  return deleted;
}
