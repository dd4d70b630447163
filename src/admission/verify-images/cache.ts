/**
 * A TTL cache of successful verifications with single-flight: concurrent calls for the same key
 * share one computation. Failures are not cached (a newly signed image must pass at once), and
 * a shared computation is never aborted by one caller giving up.
 */
export interface VerificationCache<T> {
  get(key: string, compute: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  readonly size: number;
  clear(): void;
}

export interface CacheOptions {
  /** How long a success stays valid (default 5 minutes). */
  readonly ttlMs?: number;
  /** Entries kept at most; the oldest go first (default 10 000). */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

export function verificationCache<T>(opts: CacheOptions = {}): VerificationCache<T> {
  const ttl = opts.ttlMs ?? 5 * 60_000;
  const max = opts.maxEntries ?? 10_000;
  const now = opts.now ?? Date.now;
  const done = new Map<string, { value: T; expires: number }>();
  const inflight = new Map<string, Promise<T>>();
  return {
    get size() {
      return done.size;
    },
    clear: () => done.clear(),
    get(key, compute, signal) {
      const hit = done.get(key);
      if (hit && hit.expires > now()) return Promise.resolve(hit.value);
      if (hit) done.delete(key);
      let p = inflight.get(key);
      if (!p) {
        p = compute().then((value) => {
          if (done.size >= max) done.delete(done.keys().next().value as string);
          done.set(key, { value, expires: now() + ttl });
          return value;
        }).finally(() => inflight.delete(key));
        inflight.set(key, p);
      }
      return signal ? raceAbort(p, signal) : p;
    },
  };
}

function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
