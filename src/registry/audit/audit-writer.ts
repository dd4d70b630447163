import type { FastifyBaseLogger } from 'fastify';
import type { RegistryEvent } from '../events.js';
import type { Counter } from '../metrics/metrics-registry.js';
import type { AuditStore } from './audit-store.js';
import type { AuditRecord } from './chain.js';

export interface AuditWriterOptions {
  /** Pending records are written at most this long after the first of them arrived. */
  flushMs: number;
  /** Records per transaction; reaching it flushes at once. */
  batchSize: number;
  /** Records held in memory while the store is slow or failing; past it they are dropped and counted. */
  maxPending: number;
  logger?: FastifyBaseLogger;
  /** Counts entries written. */
  written?: Counter;
}

/** Longest string kept in an entry field (names and tags are far shorter; reasons are cut). */
const maxField = 512;

function cut(v: string | undefined): string | null {
  return v === undefined ? null : v.length > maxField ? v.slice(0, maxField) : v;
}

/** The audit record of an event, or undefined for events the log does not keep (scans). */
export function auditRecordOf(event: RegistryEvent & { time: Date }): AuditRecord | undefined {
  if (event.type === 'scan') return undefined;
  // One literal with every field, so each record has the same shape (this runs per pull).
  const r: AuditRecord = {
    time: event.time.toISOString(), action: event.type, outcome: 'ok', actorKind: event.actor.kind, actor: cut(event.actor.name),
    ip: cut(event.actor.ip), repo: null, digest: null, tag: null, detail: null,
  };
  switch (event.type) {
    case 'push':
    case 'pull':
      r.repo = event.repo;
      r.digest = event.digest;
      r.tag = cut(event.tag);
      r.detail = cut(event.mediaType);
      break;
    case 'delete':
      r.repo = event.repo;
      r.digest = cut(event.digest);
      r.tag = cut(event.tag);
      break;
    case 'login':
      r.outcome = event.ok ? 'ok' : 'failed';
      r.detail = cut(event.reason);
      break;
    case 'denied':
      r.outcome = 'denied';
      r.repo = cut(event.repo);
      r.detail = cut(`${event.action}: ${event.reason}`);
      break;
  }
  return r;
}

/**
 * Buffers audit records and appends them to the store in batches, so a pull costs an array
 * push rather than a synchronous write. Records keep their arrival order. When the store fails
 * the batch is kept and retried on the next flush; records beyond `maxPending` are dropped, and
 * the next successful write first appends a `gap` entry saying how many, so the log never
 * hides a loss.
 */
export class AuditWriter {
  private pending: AuditRecord[] = [];
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerIsNow = false;
  private flushing: Promise<void> | undefined;

  constructor(private readonly store: AuditStore, private readonly opts: AuditWriterOptions) {}

  record(r: AuditRecord): void {
    if (this.pending.length >= this.opts.maxPending) {
      this.dropped++;
      return;
    }
    this.pending.push(r);
    if (this.pending.length >= this.opts.batchSize) this.schedule(0);
    else this.schedule(this.opts.flushMs);
  }

  /** Writes everything pending (waiting for a flush already running); never throws. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0 && this.dropped === 0) return;
    this.flushing = this.writeAll().finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  private schedule(ms: number): void {
    if (this.timer && (ms > 0 || this.timerIsNow)) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerIsNow = ms === 0;
    this.timer = setTimeout(() => void this.flush(), ms);
    this.timer.unref();
  }

  private async writeAll(): Promise<void> {
    while (this.pending.length > 0 || this.dropped > 0) {
      const lost = this.dropped;
      const gap = lost > 0 ? this.gapRecord(lost) : undefined;
      const batch = this.pending.slice(0, this.opts.batchSize - (gap ? 1 : 0));
      try {
        await this.store.append(gap ? [gap, ...batch] : batch);
      } catch (err) {
        this.opts.logger?.error({ err, pending: this.pending.length }, 'audit log write failed; will retry');
        this.schedule(Math.max(this.opts.flushMs, 1000));
        return;
      }
      this.dropped -= lost;
      this.pending.splice(0, batch.length);
      this.opts.written?.inc({}, batch.length + (gap ? 1 : 0));
    }
  }

  private gapRecord(lost: number): AuditRecord {
    this.opts.logger?.error({ dropped: lost }, 'audit log fell behind; events were dropped');
    return {
      time: new Date().toISOString(), action: 'gap', outcome: 'failed', actorKind: 'system', actor: null, ip: null,
      repo: null, digest: null, tag: null, detail: `${lost} events dropped: the audit writer fell behind`,
    };
  }
}
