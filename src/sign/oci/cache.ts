import { createHash } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Digest } from '../../oci/digest.js';
import type { ImageTrustPolicy } from '../verify-image.js';

/** Limits of the in-memory verification cache. */
export interface VerificationCacheOptions {
  /** How long a positive result is reused (default 5 minutes). */
  readonly ttlMs?: number;
  /** Entries kept; the oldest is evicted first (default 10,000). */
  readonly maxEntries?: number;
  /** The clock (tests). */
  readonly now?: () => number;
}

interface Entry<T> {
  readonly value: T;
  readonly expires: number;
}

function keyFingerprint(key: KeyObject): string {
  return createHash('sha256').update(key.export({ format: 'der', type: 'spki' })).digest('hex');
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
    root: policy.trustedRoot ? createHash('sha256').update(JSON.stringify(policy.trustedRoot)).digest('hex') : undefined,
    extra,
  };
  return createHash('sha256').update(JSON.stringify(doc)).digest('hex');
}

/**
 * Remembers successful verifications keyed by (image digest, the digests of the signature
 * manifests read, policy hash). Any new or removed signature changes the manifest digests and
 * so misses; a changed policy misses; entries expire after the TTL so revocations in a trusted
 * root update are picked up. Only successes are stored: a failure is always re-checked.
 */
export class VerificationCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(opts: VerificationCacheOptions = {}) {
    this.ttlMs = opts.ttlMs ?? 5 * 60_000;
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  /** The cache key for one verification. */
  static key(image: Digest, state: readonly string[], policy: string): string {
    return `${image}|${state.join(';')}|${policy}`;
  }

  get(key: string): T | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: string, value: T): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, expires: this.now() + this.ttlMs });
  }

  get size(): number {
    return this.entries.size;
  }
}
