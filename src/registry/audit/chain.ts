import { createHash } from 'node:crypto';

/** What happened, before it is placed in the chain. Strings are bounded by the writer. */
export interface AuditRecord {
  /** ISO 8601 UTC with milliseconds (`Date.toISOString()`), so entries sort by text. */
  time: string;
  /** `gap` records how many events were dropped because the writer fell behind. */
  action: 'push' | 'pull' | 'delete' | 'login' | 'denied' | 'gap';
  outcome: 'ok' | 'failed' | 'denied';
  actorKind: 'user' | 'robot' | 'anonymous' | 'system';
  actor: string | null;
  ip: string | null;
  repo: string | null;
  digest: string | null;
  tag: string | null;
  /** Media type of a push or pull, the denied action and reason, a failed login's reason. */
  detail: string | null;
}

/** A record placed in the chain. */
export interface AuditEntry extends AuditRecord {
  /** 1, 2, 3, … with no gaps. */
  seq: number;
  /** `hash` of the previous entry; GENESIS_HASH for seq 1. */
  prev: string;
  /** SHA-256 (hex) of this entry's canonical bytes. */
  hash: string;
}

/** What the first entry chains to: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** Version tag at the head of the canonical encoding; bump if the field list ever changes. */
const CANONICAL_VERSION = 1;

/**
 * The bytes an entry's hash covers: the UTF-8 JSON array
 * `[1, seq, time, action, outcome, actorKind, actor, ip, repo, digest, tag, detail, prev]`
 * (absent values are `null`). A fixed array, not an object, so key order can never vary
 * and an outside verifier can rebuild it in any language (docs/registry.md, Audit log).
 */
export function canonicalBytes(e: Omit<AuditEntry, 'hash'>): Buffer {
  return Buffer.from(canonicalText(e), 'utf8');
}

function canonicalText(e: Omit<AuditEntry, 'hash'>): string {
  return JSON.stringify([CANONICAL_VERSION, e.seq, e.time, e.action, e.outcome, e.actorKind, e.actor, e.ip, e.repo, e.digest, e.tag, e.detail, e.prev]);
}

export function entryHash(e: Omit<AuditEntry, 'hash'>): string {
  return createHash('sha256').update(canonicalText(e), 'utf8').digest('hex');
}

/** Places records after `head` (undefined for an empty log): assigns seq, prev and hash. */
export function chainRecords(head: { seq: number; hash: string } | undefined, records: readonly AuditRecord[]): AuditEntry[] {
  let seq = head?.seq ?? 0;
  let prev = head?.hash ?? GENESIS_HASH;
  const out: AuditEntry[] = [];
  for (const r of records) {
    // Every field spelled out: one object shape, and nothing unexpected reaches the hash.
    const e: AuditEntry = {
      seq: ++seq, time: r.time, action: r.action, outcome: r.outcome, actorKind: r.actorKind, actor: r.actor, ip: r.ip,
      repo: r.repo, digest: r.digest, tag: r.tag, detail: r.detail, prev, hash: '',
    };
    e.hash = entryHash(e);
    prev = e.hash;
    out.push(e);
  }
  return out;
}

/** The first place the chain does not hold. */
export interface ChainBreak {
  /** Sequence number of the first entry that does not check out. */
  seq: number;
  kind: 'sequence' | 'link' | 'content';
  message: string;
}

/**
 * Checks entries fed in seq order, from the first. An edited entry fails its own hash
 * (`content`), unless its hash was recomputed too, in which case the next entry no longer
 * links to it (`link`); a removed entry leaves a gap, and reordered entries break the
 * sequence or the link (`sequence`). Truncating the tail is invisible to the chain itself:
 * compare `head` with a value recorded earlier.
 */
export class ChainVerifier {
  private expected = 1;
  private prev = GENESIS_HASH;
  /** Entries checked so far. */
  count = 0;

  /** Checks the next entry; returns the break, or undefined when it chains. */
  add(e: AuditEntry): ChainBreak | undefined {
    if (e.seq !== this.expected) {
      const why = e.seq > this.expected ? `entries ${this.expected}..${e.seq - 1} are missing` : 'entries are out of order';
      return { seq: e.seq, kind: 'sequence', message: `entry ${e.seq} follows entry ${this.expected - 1}: ${why}` };
    }
    if (e.prev !== this.prev) {
      const before = this.expected === 1 ? 'the genesis value' : `entry ${this.expected - 1}`;
      return { seq: e.seq, kind: 'link', message: `entry ${e.seq} does not chain to ${before}: one of them was edited, replaced or reordered` };
    }
    if (entryHash(e) !== e.hash) {
      return { seq: e.seq, kind: 'content', message: `entry ${e.seq} does not match its hash: it was edited` };
    }
    this.prev = e.hash;
    this.expected++;
    this.count++;
    return undefined;
  }

  /** The last entry that checked out. */
  get head(): { seq: number; hash: string } {
    return { seq: this.expected - 1, hash: this.prev };
  }
}
