import type Database from 'better-sqlite3';
import { BosunError } from '../../errors.js';
import type { ScanReport } from '../../vuln/scan/report.js';

export const scanStatuses = ['queued', 'running', 'done', 'failed', 'dropped'] as const;
export type ScanStatus = (typeof scanStatuses)[number];

/** The scan state of one manifest in one repository. */
export interface ScanRecord {
  repo: string;
  digest: string;
  status: ScanStatus;
  /** ISO 8601. */
  updatedAt: string;
  /** Unsuppressed findings by severity, plus `total` and `suppressed` (status done). */
  summary?: ScanReport['summary'];
  /** The full report (status done), unless it was over the size limit. */
  report?: ScanReport;
  /** Why a scan failed or was dropped, or why the report is not kept. */
  reason?: string;
  /** Referrer manifests the scanner attached. */
  sbomDigest?: string;
  reportDigest?: string;
}

/**
 * Scan results (SQLite: meta.db `scans`; PostgreSQL can implement the same).
 * Implementers: `put` replaces the record of (repo, digest); failures throw
 * REGISTRY_SERVE_STORE_FAILED.
 */
export interface ScanStore {
  put(record: ScanRecord): Promise<void>;
  get(repo: string, digest: string): Promise<ScanRecord | undefined>;
  /** Status and summary only, without the report: what the pull check reads on every GET. */
  status(repo: string, digest: string): Promise<Pick<ScanRecord, 'status' | 'summary'> | undefined>;
}

/** A `scans` row (the same columns in SQLite and PostgreSQL). */
export interface ScanRow {
  status: ScanStatus;
  updated_at: string;
  summary: string | null;
  report: string | null;
  reason: string | null;
  sbom_digest: string | null;
  report_digest: string | null;
}

/** A `scans` row as a ScanRecord. */
export function scanRecordOf(repo: string, digest: string, row: ScanRow): ScanRecord {
  return {
    repo, digest, status: row.status, updatedAt: row.updated_at,
    ...(row.summary !== null ? { summary: JSON.parse(row.summary) as ScanReport['summary'] } : {}),
    ...(row.report !== null ? { report: JSON.parse(row.report) as ScanReport } : {}),
    ...(row.reason !== null ? { reason: row.reason } : {}),
    ...(row.sbom_digest !== null ? { sbomDigest: row.sbom_digest } : {}),
    ...(row.report_digest !== null ? { reportDigest: row.report_digest } : {}),
  };
}

/** Reports above this many bytes of JSON are not kept (the summary and the attached referrer are). */
export const maxStoredReportBytes = 32 * 1024 * 1024;

/** The report JSON to store (null past `maxStoredReportBytes`, with the reason saying so). */
export function storedReport(r: ScanRecord): { report: string | null; reason: string | null } {
  const report = r.report ? JSON.stringify(r.report) : null;
  if (report !== null && Buffer.byteLength(report) > maxStoredReportBytes) {
    return { report: null, reason: `report over ${maxStoredReportBytes} bytes not kept; see the attached report referrer` };
  }
  return { report, reason: r.reason ?? null };
}

function guarded<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw new BosunError('REGISTRY_SERVE_STORE_FAILED', `scan results: ${what} failed`, { cause: err });
  }
}

/** ScanStore over meta.db's `scans` table, on a connection the caller owns. */
export class SqliteScanStore implements ScanStore {
  private readonly stmt;

  constructor(db: Database.Database) {
    this.stmt = {
      put: db.prepare<[string, string, string, string, string | null, string | null, string | null, string | null, string | null]>(
        `INSERT OR REPLACE INTO scans (repo, digest, status, updated_at, summary, report, reason, sbom_digest, report_digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      status: db.prepare<[string, string], Pick<ScanRow, 'status' | 'summary'>>('SELECT status, summary FROM scans WHERE repo = ? AND digest = ?'),
      get: db.prepare<[string, string], ScanRow>('SELECT status, updated_at, summary, report, reason, sbom_digest, report_digest FROM scans WHERE repo = ? AND digest = ?'),
    };
  }

  async put(r: ScanRecord): Promise<void> {
    const { report, reason } = storedReport(r);
    const summary = r.summary ? JSON.stringify(r.summary) : null;
    guarded('write', () => this.stmt.put.run(r.repo, r.digest, r.status, r.updatedAt, summary, report, reason, r.sbomDigest ?? null, r.reportDigest ?? null));
  }

  async status(repo: string, digest: string): Promise<Pick<ScanRecord, 'status' | 'summary'> | undefined> {
    const row = guarded('read', () => this.stmt.status.get(repo, digest));
    if (!row) return undefined;
    return { status: row.status, ...(row.summary !== null ? { summary: JSON.parse(row.summary) as ScanReport['summary'] } : {}) };
  }

  async get(repo: string, digest: string): Promise<ScanRecord | undefined> {
    const row = guarded('read', () => this.stmt.get.get(repo, digest));
    return row && scanRecordOf(repo, digest, row);
  }
}
