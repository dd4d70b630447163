import type Database from 'better-sqlite3';
import { BosunError } from '../../errors.js';
import type { AuditQuery, AuditStore } from './audit-store.js';
import { auditColumns, rowValues, toEntry, type AuditRow } from './audit-row.js';
import { chainRecords, type AuditEntry, type AuditRecord } from './chain.js';

const columns = auditColumns.join(', ');

function guarded<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw new BosunError('REGISTRY_SERVE_STORE_FAILED', `audit log: ${what} failed`, { cause: err });
  }
}

/**
 * The audit log in meta.db's `audit_log` table (migrations.ts), on a connection the caller
 * owns. Triggers refuse UPDATE and DELETE. Batches commit with the connection's default
 * `synchronous = NORMAL`: a process crash loses nothing committed, a power loss may lose the
 * last batch (which then leaves no trace, so the chain still verifies).
 */
export class SqliteAuditStore implements AuditStore {
  private readonly stmt;

  constructor(private readonly db: Database.Database) {
    this.stmt = {
      head: db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1'),
      insert: db.prepare<Array<string | number | null>>(
        `INSERT INTO audit_log (${columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      list: db.prepare<[number, number], AuditRow>(`SELECT ${columns} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`),
      listSince: db.prepare<[number, string, number], AuditRow>(`SELECT ${columns} FROM audit_log WHERE seq > ? AND time >= ? ORDER BY seq LIMIT ?`),
    };
  }

  async append(records: readonly AuditRecord[]): Promise<AuditEntry[]> {
    if (records.length === 0) return [];
    return guarded('append', () =>
      this.db.transaction(() => {
        const entries = chainRecords(this.stmt.head.get(), records);
        for (const e of entries) {
          this.stmt.insert.run(...rowValues(e));
        }
        return entries;
      }).immediate(),
    );
  }

  async list(q: AuditQuery): Promise<AuditEntry[]> {
    const rows = guarded('list', () => (q.since === undefined ? this.stmt.list.all(q.afterSeq, q.limit) : this.stmt.listSince.all(q.afterSeq, q.since, q.limit)));
    return rows.map(toEntry);
  }

  async head(): Promise<{ seq: number; hash: string } | undefined> {
    return guarded('read head', () => this.stmt.head.get());
  }
}
