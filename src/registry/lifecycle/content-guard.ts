import type { Digest } from '../../oci/digest.js';
import type { BlobStore } from '../blob-store/blob-store.js';
import type { LifecycleStore } from './lifecycle-store.js';

/**
 * The cross-process half of a ContentGuard, for stores several processes write (PostgreSQL
 * replicas): see LifecycleStore.holdContent / sweepContent.
 */
export interface SharedContentLocks {
  /** Marks `digest` as about to be referenced, in every process, until the release resolves. */
  hold(digest: Digest): Promise<() => Promise<void>>;
  /** Runs `fn` unless a process holds `digest`; no hold starts until it is done. Returns whether it ran. */
  sweep(digest: Digest, fn: () => Promise<void>): Promise<boolean>;
}

interface DigestState {
  users: number;
  sweeping?: Promise<void>;
}

/**
 * Per-digest coordination between requests that rely on stored content and the GC sweep
 * that deletes it, inside one process. A request "uses" a digest from before it checks the
 * content exists until the link or manifest that keeps it is committed; the sweep deletes a
 * digest only while nobody uses it, and requests arriving during that deletion wait for it
 * to finish (then find the content gone and store it again). With `share`, the same holds
 * across processes.
 */
export class ContentGuard {
  readonly #state = new Map<Digest, DigestState>();
  #shared: SharedContentLocks | undefined;

  /** Extends the guard to other processes writing the same stores (replicas). */
  share(locks: SharedContentLocks): void {
    this.#shared = locks;
  }

  /** Runs `fn` while `digest` cannot be swept; shared with other users of the digest. */
  async use<T>(digest: Digest, fn: () => Promise<T>): Promise<T> {
    for (let s = this.#state.get(digest); s?.sweeping; s = this.#state.get(digest)) await s.sweeping;
    const state = this.#state.get(digest) ?? { users: 0 };
    state.users++;
    this.#state.set(digest, state);
    try {
      if (!this.#shared) return await fn();
      const release = await this.#shared.hold(digest);
      try {
        return await fn();
      } finally {
        await release();
      }
    } finally {
      state.users--;
      if (state.users === 0 && !state.sweeping) this.#state.delete(digest);
    }
  }

  /**
   * Runs `fn` (a deletion) unless `digest` is in use, in which case it is skipped: content
   * somebody is about to reference is not garbage. Returns whether `fn` ran.
   */
  async sweep(digest: Digest, fn: () => Promise<void>): Promise<boolean> {
    if (this.#state.has(digest)) return false;
    let done!: () => void;
    const state: DigestState = { users: 0, sweeping: new Promise<void>((resolve) => (done = resolve)) };
    this.#state.set(digest, state);
    try {
      if (this.#shared) return await this.#shared.sweep(digest, fn);
      await fn();
      return true;
    } finally {
      this.#state.delete(digest);
      done();
    }
  }
}

const guards = new WeakMap<BlobStore, ContentGuard>();

/**
 * Makes the guard of `blobs` hold across processes when the lifecycle store can (PostgreSQL);
 * a no-op otherwise. Called once per process, before requests or sweeps use the guard.
 */
export function shareContentGuard(blobs: BlobStore, life: LifecycleStore): void {
  const { holdContent, sweepContent } = life;
  if (!holdContent || !sweepContent) return;
  contentGuard(blobs).share({ hold: (d) => holdContent.call(life, d), sweep: (d, fn) => sweepContent.call(life, d, fn) });
}

/** The guard of a blob store: every request and sweep on one store shares it. */
export function contentGuard(store: BlobStore): ContentGuard {
  let guard = guards.get(store);
  if (!guard) {
    guard = new ContentGuard();
    guards.set(store, guard);
  }
  return guard;
}
