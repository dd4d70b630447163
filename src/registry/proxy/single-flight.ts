import { BosunError } from '../../errors.js';

/**
 * Runs at most one task per key at a time: callers asking for a key already in flight share
 * its promise instead of starting another. The key is free again once the task settles.
 */
export class SingleFlight<T> {
  readonly #inFlight = new Map<string, Promise<T>>();

  /** The promise of the task running for `key`, if any. */
  current(key: string): Promise<T> | undefined {
    return this.#inFlight.get(key);
  }

  /** Joins the task for `key`, or starts `task` (synchronously registered, so no race). */
  run(key: string, task: () => Promise<T>): Promise<T> {
    const running = this.#inFlight.get(key);
    if (running) return running;
    const started = task().finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, started);
    return started;
  }
}

/**
 * A counting semaphore bounding upstream requests in flight. Waiters queue in order; past
 * `maxWaiting` a request fails at once with REGISTRY_PROXY_UPSTREAM_UNAVAILABLE instead of
 * piling up behind a slow upstream.
 */
export class Limiter {
  #active = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(
    private readonly max: number,
    private readonly maxWaiting = max * 32,
  ) {}

  /** Resolves with a release function, to be called exactly once. */
  async acquire(): Promise<() => void> {
    if (this.#active >= this.max) {
      if (this.#waiting.length >= this.maxWaiting) {
        throw new BosunError('REGISTRY_PROXY_UPSTREAM_UNAVAILABLE', `too many upstream requests waiting (${this.#waiting.length})`);
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#active++;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      // The slot passes straight to the next waiter, so #active stays the same.
      if (next) next();
      else this.#active--;
    };
  }
}
