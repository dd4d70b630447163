import { createHash } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Digest } from '../../oci/digest.js';
import type { ImageTrustPolicy } from '../verify-image.js';

/** Limits of the in-memory verification cache. */
export interface VerificationCacheOptions {
  /** How long a positive result is reused (default 5 minutes). */
  readonly ttlMs?: number;
  /** Entries kept; the least recently used is evicted first (default 10,000). */
  readonly maxEntries?: number;
  /**
   * Within this long after a verification, the same reference under the same policy is
   * answered from memory without asking the registry (default 0: always re-read the tag and
   * signature manifests). A signature removed meanwhile is noticed only after this window.
   */
  readonly revalidateAfterMs?: number;
  /** The clock (tests). */
  readonly now?: () => number;
}

/** What `getOrCompute` also remembers under (reference, policy) for `getRecent`. */
export interface RecentKey {
  readonly reference: string;
  readonly policy: string;
}

interface Entry<T> {
  readonly value: T;
  readonly expires: number;
}

// Policies are hashed on every verification; keys and roots are long-lived objects, so their
// fingerprints are computed once per object.
const keyPrints = new WeakMap<KeyObject, string>();
const rootPrints = new WeakMap<object, string>();

function keyFingerprint(key: KeyObject): string {
  let print = keyPrints.get(key);
  if (print === undefined) keyPrints.set(key, (print = createHash('sha256').update(key.export({ format: 'der', type: 'spki' })).digest('hex')));
  return print;
}

function rootFingerprint(root: object): string {
  let print = rootPrints.get(root);
  if (print === undefined) rootPrints.set(root, (print = createHash('sha256').update(JSON.stringify(root)).digest('hex')));
  return print;
}

/**
 * A stable hash of everything that decides trust: the key (its SPKI), the identity matchers,
 * the trusted root, the predicateType and the annotation filters. Two policies with the same
 * hash accept exactly the same signatures.
 */
export function policyHash(policy: ImageTrustPolicy, extra: Readonly<Record<string, unknown>> = {}): string {
  const doc = {
    key: policy.key ? keyFingerprint(policy.key) : undefined,
    identity: policy.identity,
    root: policy.trustedRoot ? rootFingerprint(policy.trustedRoot) : undefined,
    extra,
  };
  return createHash('sha256').update(JSON.stringify(doc)).digest('hex');
}

/**
 * The one verification cache, used by `bosun verify` (verify-ref.ts) and the admission webhook.
 * Callers choose the key; it must name the image digest and everything that decides trust
 * (`policyHash`, or the admission attestor set). Only successes are stored: a failure is always
 * re-checked, so a newly signed image passes at once. Entries expire after the TTL (revocations
 * in a trusted root update are picked up) and the least recently used goes first at capacity.
 * `getOrCompute` coalesces concurrent identical verifications into one computation, which one
 * caller giving up never aborts. What is cached is the verification alone: callers evaluate
 * their policy conditions on the result every time (kyverno#17173).
 */
export class VerificationCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly recent = new Map<string, Entry<T>>();
  private readonly inflight = new Map<string, Promise<T>>();
  private readonly revalidateAfterMs: number;
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(opts: VerificationCacheOptions = {}) {
    this.ttlMs = opts.ttlMs ?? 5 * 60_000;
    this.revalidateAfterMs = Math.min(opts.revalidateAfterMs ?? 0, this.ttlMs);
    this.maxEntries = Math.max(1, opts.maxEntries ?? 10_000);
    this.now = opts.now ?? Date.now;
  }

  /** The cache key for one `bosun verify` verification: image, signature manifests read, policy. */
  static key(image: Digest, state: readonly string[], policy: string): string {
    return `${image}|${state.join(';')}|${policy}`;
  }

  /** A verified result, when one is stored for `key` and has not expired. */
  get(key: string): T | undefined {
    return this.live(this.entries, key);
  }

  /** A result for `reference` under `policy` younger than `revalidateAfterMs`, if any. */
  getRecent(reference: string, policy: string): T | undefined {
    return this.revalidateAfterMs > 0 ? this.live(this.recent, `${reference}|${policy}`) : undefined;
  }

  /** Stores a verified result; with `recent`, also for `getRecent(reference, policy)`. */
  set(key: string, value: T, recent?: RecentKey): void {
    const now = this.now();
    this.put(this.entries, key, { value, expires: now + this.ttlMs });
    if (recent && this.revalidateAfterMs > 0) this.put(this.recent, `${recent.reference}|${recent.policy}`, { value, expires: now + this.revalidateAfterMs });
  }

  /**
   * The stored result for `key`, else the result of `compute()` (stored when it succeeds).
   * Concurrent calls for one key share a single `compute()`. `signal` abandons only this
   * caller's wait; a cache hit resolves without a macrotask turn.
   */
  getOrCompute(key: string, compute: () => Promise<T>, opts: { readonly signal?: AbortSignal | undefined; readonly recent?: RecentKey } = {}): Promise<T> {
    const hit = this.get(key);
    if (hit !== undefined) return Promise.resolve(hit);
    let p = this.inflight.get(key);
    if (!p) {
      p = compute().then((value) => {
        this.set(key, value, opts.recent);
        return value;
      }).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return opts.signal ? raceAbort(p, opts.signal) : p;
  }

  /** Forgets every stored result (in-flight computations finish and are stored). */
  clear(): void {
    this.entries.clear();
    this.recent.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private live(map: Map<string, Entry<T>>, key: string): T | undefined {
    const e = map.get(key);
    if (!e) return undefined;
    if (e.expires <= this.now()) {
      map.delete(key);
      return undefined;
    }
    // Map order is insertion order: re-inserting makes eviction least-recently-used.
    map.delete(key);
    map.set(key, e);
    return e.value;
  }

  private put(map: Map<string, Entry<T>>, key: string, entry: Entry<T>): void {
    map.delete(key);
    if (map.size >= this.maxEntries) map.delete(map.keys().next().value!);
    map.set(key, entry);
  }
}

function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
