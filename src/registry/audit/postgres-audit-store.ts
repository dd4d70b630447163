import type pg from 'pg';
import { lockSpaces, pgQuery, pgTransaction } from '../meta-store/pg-tx.js';
import type { AuditQuery, AuditStore } from './audit-store.js';
import { auditColumns, rowValues, toEntry, type AuditRow } from './audit-row.js';
import { chainRecords, type AuditEntry, type AuditRecord } from './chain.js';

const columns = auditColumns;
const area = 'audit log';
/** Rows per INSERT statement (13 parameters each, well under PostgreSQL's 65535). */
const rowsPerInsert = 1000;

/** `INSERT … VALUES ($1…$13), ($14…$26), …` for `n` entries. */
function insertSql(n: number): string {
  const tuples = Array.from({ length: n }, (_, i) => `(${columns.map((_c, j) => `$${i * columns.length + j + 1}`).join(', ')})`);
  return `INSERT INTO audit_log (${columns.join(', ')}) VALUES ${tuples.join(', ')}`;
}

/**
 * The audit log in PostgreSQL (table `audit_log`), shared by every replica. `append` takes a
 * transaction-scoped advisory lock before reading the head, so replicas appending at once
 * queue behind each other and the chain never forks: each batch is chained after the head the
 * previous one committed. A trigger refuses UPDATE, DELETE and TRUNCATE (it stops accidents,
 * not the table's owner: the chain shows such changes). The pool belongs to the caller.
 */
export class PostgresAuditStore implements AuditStore {
  constructor(private readonly pool: pg.Pool) {}

  async append(records: readonly AuditRecord[]): Promise<AuditEntry[]> {
    if (records.length === 0) return [];
    return pgTransaction(this.pool, area, 'append', async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1, 0)', [lockSpaces.audit]);
      const head = await c.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
      const last = head.rows[0];
      const entries = chainRecords(last && { seq: Number(last.seq), hash: last.hash }, records);
      for (let i = 0; i < entries.length; i += rowsPerInsert) {
        const batch = entries.slice(i, i + rowsPerInsert);
        await c.query(insertSql(batch.length), batch.flatMap(rowValues));
      }
      return entries;
    });
  }

  async list(q: AuditQuery): Promise<AuditEntry[]> {
    const { rows } =
      q.since === undefined
        ? await pgQuery<AuditRow>(this.pool, area, 'list', `SELECT ${columns.join(', ')} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2`, [q.afterSeq, q.limit])
        : await pgQuery<AuditRow>(this.pool, area, 'list', `SELECT ${columns.join(', ')} FROM audit_log WHERE seq > $1 AND time >= $2 ORDER BY seq LIMIT $3`, [q.afterSeq, q.since, q.limit]);
    return rows.map(toEntry);
  }

  async head(): Promise<{ seq: number; hash: string } | undefined> {
    const { rows } = await pgQuery<{ seq: string; hash: string }>(this.pool, area, 'read head', 'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    return rows[0] && { seq: Number(rows[0].seq), hash: rows[0].hash };
  }
}
