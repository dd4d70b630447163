import type { AuditEntry, AuditRecord } from './chain.js';

/** A page of the log: entries with seq above `afterSeq`, by seq. */
export interface AuditQuery {
  afterSeq: number;
  limit: number;
  /** Only entries at or after this ISO 8601 time. */
  since?: string;
}

/**
 * Where the audit log lives (SQLite's meta.db by default; PostgreSQL can implement the same).
 *
 * Implementer obligations:
 * - `append` reads the head and writes every record chained after it (`chainRecords`) in one
 *   transaction, so concurrent writers (several replicas) never fork the chain.
 * - Entries are never updated or deleted; the store refuses it where it can (triggers).
 * - `list` returns at most `limit` entries, by seq ascending, and never scans past them.
 * - Failures throw REGISTRY_SERVE_STORE_FAILED.
 */
export interface AuditStore {
  append(records: readonly AuditRecord[]): Promise<AuditEntry[]>;
  list(query: AuditQuery): Promise<AuditEntry[]>;
  head(): Promise<{ seq: number; hash: string } | undefined>;
}
