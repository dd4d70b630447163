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

// How many of the least recently seen clients an insertion looks at for idle ones to drop.
const idleScan = 8;

/**
 * Token buckets for many clients in bounded memory. The Map is kept in least-recently-used
 * order (a hit moves the key to the end). Inserting a new client first drops idle clients
 * from the old end (a bucket refilled to `burst` is the same as no bucket), then, at
 * `maxClients`, the least recently seen one, so memory never exceeds `maxClients` buckets.
 */
export class TokenBuckets {
  readonly #buckets = new Map<string, Bucket>();
  readonly #perMs: number;
  readonly #fullAfterMs: number;

  constructor(
    private readonly limits: BucketLimits,
    private readonly maxClients: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#perMs = limits.rate / 1000;
    this.#fullAfterMs = limits.burst / this.#perMs;
  }

  /** Takes one token for `client`, or says how many whole seconds until one is available. */
  take(client: string): TakeResult {
    const now = this.now();
    let bucket = this.#buckets.get(client);
    if (bucket) {
      this.#buckets.delete(client);
      bucket.tokens = Math.min(this.limits.burst, bucket.tokens + (now - bucket.at) * this.#perMs);
      bucket.at = now;
    } else {
      this.#makeRoom(now);
      bucket = { tokens: this.limits.burst, at: now, refused: false };
    }
    this.#buckets.set(client, bucket);
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
    return this.#buckets.size;
  }

  #makeRoom(now: number): void {
    let scanned = 0;
    for (const [client, bucket] of this.#buckets) {
      if (scanned++ >= idleScan) break;
      if (now - bucket.at >= this.#fullAfterMs) this.#buckets.delete(client);
    }
    if (this.#buckets.size >= this.maxClients) {
      const oldest = this.#buckets.keys().next();
      if (!oldest.done) this.#buckets.delete(oldest.value);
    }
  }
}
