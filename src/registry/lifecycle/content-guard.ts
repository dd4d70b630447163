import type { Digest } from '../../oci/digest.js';
import type { BlobStore } from '../blob-store/blob-store.js';

interface DigestState {
  users: number;
  sweeping?: Promise<void>;
}

/**
 * Per-digest coordination between requests that rely on stored content and the GC sweep
 * that deletes it, inside one process. A request "uses" a digest from before it checks the
 * content exists until the link or manifest that keeps it is committed; the sweep deletes a
 * digest only while nobody uses it, and requests arriving during that deletion wait for it
 * to finish (then find the content gone and store it again).
 */
export class ContentGuard {
  readonly #state = new Map<Digest, DigestState>();

  /** Runs `fn` while `digest` cannot be swept; shared with other users of the digest. */
  async use<T>(digest: Digest, fn: () => Promise<T>): Promise<T> {
    for (let s = this.#state.get(digest); s?.sweeping; s = this.#state.get(digest)) await s.sweeping;
    const state = this.#state.get(digest) ?? { users: 0 };
    state.users++;
    this.#state.set(digest, state);
    try {
      return await fn();
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
      await fn();
      return true;
    } finally {
      this.#state.delete(digest);
      done();
    }
  }
}

const guards = new WeakMap<BlobStore, ContentGuard>();

/** The guard of a blob store: every request and sweep on one store shares it. */
export function contentGuard(store: BlobStore): ContentGuard {
  let guard = guards.get(store);
  if (!guard) {
    guard = new ContentGuard();
    guards.set(store, guard);
  }
  return guard;
}
