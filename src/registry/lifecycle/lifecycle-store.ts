import type { Digest } from '../../oci/digest.js';

/** Something a lifecycle run removed (or, in a dry run, would remove) from one repository. */
export interface RemovedEntry {
  repo: string;
  digest: Digest;
  /** Bytes of the manifest or blob the entry pointed at. */
  size: number;
  /** For a removed tag: its name. */
  tag?: string;
}

/** How a repository's metadata is swept (see gc.ts for the reachability rules). */
export interface SweepOptions {
  /** Manifests pushed and links made at or after this time (ms since epoch) are kept. */
  cutoff: number;
  /** Also remove manifests reachable from no tag (else only dangling referrers go). */
  deleteUntagged: boolean;
  /** Remove blob links no kept manifest references (GC); retention leaves links to GC. */
  sweepLinks: boolean;
}

export interface SweepResult {
  manifests: RemovedEntry[];
  links: RemovedEntry[];
}

/** A tag with the times retention ranks it by (ms since epoch; 0 when never). */
export interface TagTimes {
  tag: string;
  digest: Digest;
  pushedAt: number;
  /** The later of pulls by this tag and pulls of its manifest by digest. */
  pulledAt: number;
}

/** A pull seen by the registry, as batched by the pull recorder. */
export interface PullRecord {
  repo: string;
  digest: Digest;
  tag?: string;
  at: number;
}

/**
 * What garbage collection and retention need from the metadata store, beyond MetaStore.
 *
 * Implementer obligations:
 * - `sweepRepository` and `retainRepository` each run in ONE transaction, durable (fsynced)
 *   before the promise resolves: marking and removal see one snapshot, so a manifest put
 *   either commits before (and is marked) or after (and finds its references gone). With
 *   `dryRun` the transaction is rolled back and the result says what would have gone.
 * - `isReferenced(digest)` is true while any repository links the digest, holds a manifest of
 *   it, or holds a manifest that references it; checked at the moment of the call.
 * - `claimOwner` records this process as the owner of the data directory; it throws
 *   REGISTRY_GC_BUSY when another live process owns it. A store shared by several processes
 *   (replicas) makes it a no-op and implements the three optional methods instead:
 * - `runExclusive` runs a GC or retention pass while no other process runs one on the same
 *   metadata, throwing REGISTRY_GC_BUSY (without running it) when one does.
 * - `holdContent` / `sweepContent` are the cross-process half of the ContentGuard: a hold
 *   marks a digest as about to be referenced until released; `sweepContent` runs its deletion
 *   only while no process holds the digest, and no hold can start until it is done.
 */
export interface LifecycleStore {
  /** Every repository name, in lexical order. */
  repositories(): Promise<string[]>;
  /** Manifests whose references are not recorded yet (pushed before they were), at most `limit`. */
  manifestsWithoutRefs(limit: number): Promise<Array<{ repo: string; digest: Digest }>>;
  /** Records the references of a manifest found by `manifestsWithoutRefs`; undefined refs: unreadable. */
  recordRefs(repo: string, digest: Digest, refs: readonly Digest[] | undefined): Promise<void>;
  sweepRepository(repo: string, opts: SweepOptions & { dryRun: boolean }): Promise<SweepResult>;
  /**
   * Which of `digests` would still be referenced after sweeping every repository with `opts`
   * (a dry run of the whole metadata sweep, rolled back).
   */
  referencedAfterSweep(digests: readonly Digest[], opts: SweepOptions): Promise<Set<Digest>>;
  /** Which of `digests` are referenced right now. */
  referencedNow(digests: readonly Digest[]): Promise<Set<Digest>>;
  isReferenced(digest: Digest): Promise<boolean>;
  tagTimes(repo: string): Promise<TagTimes[]>;
  /**
   * Removes `tags` (each only while it still points at the digest given), then, when
   * `untaggedCutoff` is set, the manifests reachable from no tag pushed before it. One
   * transaction; rolled back with `dryRun`. Returns what went (or would go).
   */
  retainRepository(repo: string, opts: { tags: readonly TagTimes[]; untaggedCutoff?: number; dryRun: boolean }): Promise<{ tags: RemovedEntry[]; manifests: RemovedEntry[] }>;
  /** Raises the last-pull times of the manifests and tags named (one transaction). */
  recordPulls(pulls: readonly PullRecord[]): Promise<void>;
  claimOwner(role: string): Promise<void>;
  releaseOwner(): Promise<void>;
  runExclusive?<T>(fn: () => Promise<T>): Promise<T>;
  holdContent?(digest: Digest): Promise<() => Promise<void>>;
  sweepContent?(digest: Digest, fn: () => Promise<void>): Promise<boolean>;
}
