import type { Writable } from 'node:stream';
import { BosunError } from '../../errors.js';
import type { AuditStore } from './audit-store.js';
import { ChainVerifier, type AuditEntry, type ChainBreak } from './chain.js';

/** Entries read per query: memory stays flat whatever the size of the log. */
const pageSize = 1000;

/** Every entry (at or after `since`, when given) by seq, read a page at a time. */
export async function* auditEntries(store: AuditStore, opts: { since?: string; signal?: AbortSignal } = {}): AsyncIterable<AuditEntry> {
  let afterSeq = 0;
  for (;;) {
    if (opts.signal?.aborted) throw new BosunError('ABORTED', 'audit log read aborted');
    const page = await store.list({ afterSeq, limit: pageSize, ...(opts.since !== undefined ? { since: opts.since } : {}) });
    yield* page;
    if (page.length < pageSize) return;
    afterSeq = page[page.length - 1]!.seq;
  }
}

export interface AuditVerification {
  /** Entries that checked out before the break (all of them when intact). */
  entries: number;
  /** The last entry that checked out (seq 0 and the genesis value for an empty log). */
  head: { seq: number; hash: string };
  /** The first broken link; absent when the whole chain holds. */
  broken?: ChainBreak;
}

/** Walks the whole chain from the genesis value and reports the first broken link. */
export async function verifyAuditLog(store: AuditStore, signal?: AbortSignal): Promise<AuditVerification> {
  const verifier = new ChainVerifier();
  for await (const e of auditEntries(store, signal ? { signal } : {})) {
    const broken = verifier.add(e);
    if (broken) return { entries: verifier.count, head: verifier.head, broken };
  }
  return { entries: verifier.count, head: verifier.head };
}

/** Throws REGISTRY_AUDIT_CHAIN_BROKEN naming the first broken link, when there is one. */
export function assertIntact(v: AuditVerification): void {
  if (v.broken) throw new BosunError('REGISTRY_AUDIT_CHAIN_BROKEN', `audit log broken at entry ${v.broken.seq} (${v.broken.kind}): ${v.broken.message}`);
}

export const auditFormats = ['json', 'jsonl', 'table'] as const;
export type AuditFormat = (typeof auditFormats)[number];

function write(out: Writable, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    out.write(text, (err) => (err ? reject(new BosunError('IO_FAILED', `writing the audit export failed: ${err.message}`, { cause: err })) : resolve()));
  });
}

function tableRow(e: AuditEntry): string {
  const who = e.actor ?? e.actorKind;
  const what = [e.repo, e.tag ? `:${e.tag}` : '', e.digest ? `@${e.digest.slice(0, 19)}` : ''].join('');
  return [String(e.seq).padStart(6), e.time, e.action.padEnd(6), e.outcome.padEnd(6), who.padEnd(16), (e.ip ?? '-').padEnd(15), what || '-', e.detail ?? ''].join('  ').trimEnd();
}

/**
 * Writes the entries at or after `since` to `out` (not ended): `json` (one array), `jsonl`
 * (one entry per line) or `table`. Returns how many were written. Throws IO_FAILED.
 */
export async function exportAuditLog(store: AuditStore, out: Writable, opts: { format: AuditFormat; since?: string }): Promise<number> {
  let n = 0;
  if (opts.format === 'json') await write(out, '[');
  if (opts.format === 'table') await write(out, `${['   SEQ', 'TIME'.padEnd(24), 'ACTION', 'RESULT', 'ACTOR'.padEnd(16), 'IP'.padEnd(15), 'WHAT', 'DETAIL'].join('  ')}\n`);
  for await (const e of auditEntries(store, opts.since !== undefined ? { since: opts.since } : {})) {
    if (opts.format === 'json') await write(out, `${n === 0 ? '\n' : ',\n'}${JSON.stringify(e)}`);
    else if (opts.format === 'jsonl') await write(out, `${JSON.stringify(e)}\n`);
    else await write(out, `${tableRow(e)}\n`);
    n++;
  }
  if (opts.format === 'json') await write(out, n === 0 ? ']\n' : '\n]\n');
  return n;
}
