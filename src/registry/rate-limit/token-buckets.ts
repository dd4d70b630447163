/** A token bucket's shape: `rate` tokens added per second, holding at most `burst`. */
export interface BucketLimits {
  rate: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  /** Milliseconds (monotonic clock) when `tokens` was last brought up to date. */
  at: number;
  /** The last take was refused. */
  refused: boolean;
}

/** `first`: the client's previous request was within budget (so a flood reports once). */
export type TakeResult = { ok: true } | { ok: false; retryAfterSeconds: number; first: boolean };

/**
 * Token buckets for many clients in bounded memory, O(1) per request. Clients live in two
 * generations: a take finds its bucket in the current one, or moves it there from the
 * previous one. The generations rotate (the previous one is dropped whole) when the current
 * one holds `maxClients / 2` clients, or when a refill period (`burst / rate`, at least 1 s)
 * has passed since the last rotation: a client untouched for that long has a full bucket, which is the
 * same as having none, so idle clients are forgotten for free. Under a flood of distinct
 * clients, the least recently seen are forgotten first. No iteration, so no pause however
 * many clients there are.
 */
export class TokenBuckets {
  #current = new Map<string, Bucket>();
  #previous = new Map<string, Bucket>();
  #rotatedAt: number;
  readonly #perMs: number;
  readonly #rotateAfterMs: number;
  readonly #generation: number;

  constructor(
    private readonly limits: BucketLimits,
    maxClients: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#perMs = limits.rate / 1000;
    // Buckets untouched this long are full. At least a second, so that a fast refill does
    // not rotate (allocate a Map) on every request.
    this.#rotateAfterMs = Math.max(1000, limits.burst / this.#perMs);
    this.#generation = Math.max(1, Math.floor(maxClients / 2));
    this.#rotatedAt = now();
  }

  /** Takes one token for `client`, or says how many whole seconds until one is available. */
  take(client: string): TakeResult {
    const now = this.now();
    if (this.#current.size >= this.#generation || now - this.#rotatedAt >= this.#rotateAfterMs) this.#rotate(now);
    const bucket = this.#bucketOf(client, now);
    bucket.tokens = Math.min(this.limits.burst, bucket.tokens + (now - bucket.at) * this.#perMs);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      bucket.refused = false;
      return { ok: true };
    }
    const first = !bucket.refused;
    bucket.refused = true;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.#perMs / 1000)), first };
  }

  /** Clients currently tracked. */
  get size(): number {
    return this.#current.size + this.#previous.size;
  }

  #bucketOf(client: string, now: number): Bucket {
    const hit = this.#current.get(client);
    if (hit) return hit;
    const old = this.#previous.get(client);
    if (old) this.#previous.delete(client);
    const bucket = old ?? { tokens: this.limits.burst, at: now, refused: false };
    this.#current.set(client, bucket);
    return bucket;
  }

  #rotate(now: number): void {
    this.#previous = this.#current;
    this.#current = new Map();
    this.#rotatedAt = now;
  }
}
