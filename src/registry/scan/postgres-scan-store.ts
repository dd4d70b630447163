import type pg from 'pg';
import type { ScanReport } from '../../vuln/scan/report.js';
import { pgQuery } from '../meta-store/pg-tx.js';
import { scanRecordOf, storedReport, type ScanRecord, type ScanRow, type ScanStore } from './scan-store.js';


const area = 'scan results';

/**
 * ScanStore on the registry's PostgreSQL metadata (table `scans`), over the metadata store's
 * pool: a scan finished by one replica is served (and enforced by `blockPullsAbove`) by all.
 * Reports over `maxStoredReportBytes` are dropped as in SQLite. The pool belongs to the caller.
 */
export class PostgresScanStore implements ScanStore {
  constructor(private readonly pool: pg.Pool) {}

  async put(r: ScanRecord): Promise<void> {
    const { report, reason } = storedReport(r);
    await pgQuery(
      this.pool,
      area,
      'write',
      `INSERT INTO scans (repo, digest, status, updated_at, summary, report, reason, sbom_digest, report_digest) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (repo, digest) DO UPDATE SET status = EXCLUDED.status, updated_at = EXCLUDED.updated_at, summary = EXCLUDED.summary,
         report = EXCLUDED.report, reason = EXCLUDED.reason, sbom_digest = EXCLUDED.sbom_digest, report_digest = EXCLUDED.report_digest`,
      [r.repo, r.digest, r.status, r.updatedAt, r.summary ? JSON.stringify(r.summary) : null, report, reason, r.sbomDigest ?? null, r.reportDigest ?? null],
    );
  }

  async status(repo: string, digest: string): Promise<Pick<ScanRecord, 'status' | 'summary'> | undefined> {
    const { rows } = await pgQuery<Pick<ScanRow, 'status' | 'summary'>>(this.pool, area, 'read', 'SELECT status, summary FROM scans WHERE repo = $1 AND digest = $2', [repo, digest]);
    const row = rows[0];
    if (!row) return undefined;
    return { status: row.status, ...(row.summary !== null ? { summary: JSON.parse(row.summary) as ScanReport['summary'] } : {}) };
  }

  async get(repo: string, digest: string): Promise<ScanRecord | undefined> {
    const { rows } = await pgQuery<ScanRow>(
      this.pool,
      area,
      'read',
      'SELECT status, updated_at, summary, report, reason, sbom_digest, report_digest FROM scans WHERE repo = $1 AND digest = $2',
      [repo, digest],
    );
    const row = rows[0];
    return row && scanRecordOf(repo, digest, row);
  }
}
