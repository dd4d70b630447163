import type { LifecycleStore, PullRecord } from './lifecycle-store.js';

/**
 * Batches last-pull times in memory so pulls never write per request: `record` only
 * updates a map (one entry per repository, digest and tag, keeping the latest time) and
 * `flush` writes the batch in one transaction. At most `maxPending` entries wait; past
 * that, `record` starts a flush itself. Pull times lost in a crash only make retention
 * see an older pull, which at worst keeps fewer "recently pulled" tags than it could.
 */
export class PullRecorder {
  #pending = new Map<string, PullRecord>();
  #flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly life: LifecycleStore,
    private readonly onError: (err: unknown) => void,
    private readonly maxPending = 10_000,
  ) {}

  record(pull: PullRecord): void {
    const key = `${pull.repo}\u0000${pull.digest}\u0000${pull.tag ?? ''}`;
    const seen = this.#pending.get(key);
    if (!seen || seen.at < pull.at) this.#pending.set(key, pull);
    if (this.#pending.size >= this.maxPending) void this.flush();
  }

  /** Writes what is pending; resolves once written (errors go to `onError`). */
  flush(): Promise<void> {
    const batch = [...this.#pending.values()];
    this.#pending = new Map();
    if (batch.length === 0) return this.#flushing;
    this.#flushing = this.#flushing.then(() => this.life.recordPulls(batch)).catch(this.onError);
    return this.#flushing;
  }
}
