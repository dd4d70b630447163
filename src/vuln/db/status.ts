/**
 * `bosun db status`: what the live database holds.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { DB_FILE } from './build.js';
import { metaValue } from './schema.js';
import { SqliteAdvisorySource } from './sqlite-source.js';
import { readSources, type SourceRecord } from './writer.js';

export interface EcosystemCount {
  ecosystem: string;
  /** `''` for language ecosystems. */
  release: string;
  /** Distinct records with an affected entry in this ecosystem and release (withdrawn included). */
  advisories: number;
  withdrawn: number;
}

export interface DbStatus {
  path: string;
  schemaVersion: number;
  /** When the data last changed (RFC 3339). */
  builtAt?: string;
  /** When every source was last confirmed current by an update or import (RFC 3339). */
  checkedAt?: string;
  sizeBytes: number;
  advisories: number;
  withdrawn: number;
  sources: SourceRecord[];
  ecosystems: EcosystemCount[];
}

/** Reads the status of `<dir>/vuln.db`; throws as `SqliteAdvisorySource.open`. */
export function dbStatus(dir: string): DbStatus {
  const path = join(dir, DB_FILE);
  const src = SqliteAdvisorySource.open(path);
  try {
    const { db } = src;
    const totals = db.prepare('SELECT COUNT(*) AS advisories, COUNT(withdrawn) AS withdrawn FROM advisories').get() as { advisories: number; withdrawn: number };
    const ecosystems = db
      .prepare(
        `SELECT f.ecosystem, f.release, COUNT(DISTINCT f.advisory) AS advisories,
                COUNT(DISTINCT CASE WHEN a.withdrawn IS NOT NULL THEN f.advisory END) AS withdrawn
         FROM affected f JOIN advisories a ON a.rowid = f.advisory
         GROUP BY f.ecosystem, f.release ORDER BY f.ecosystem, f.release`,
      )
      .all() as EcosystemCount[];
    const builtAt = metaValue(db, 'built_at');
    const checkedAt = metaValue(db, 'checked_at');
    return {
      path,
      schemaVersion: Number(metaValue(db, 'schema_version')),
      ...(builtAt ? { builtAt } : {}),
      ...(checkedAt ? { checkedAt } : {}),
      sizeBytes: statSync(path).size,
      ...totals,
      sources: readSources(db),
      ecosystems,
    };
  } finally {
    src.close();
  }
}
