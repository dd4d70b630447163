/**
 * What scan commands call to get an `AdvisorySource`: opens the live database, updating it
 * first when it is missing or stale and updating is allowed.
 *
 * | database | default | `skipUpdate` / `offline` |
 * | --- | --- | --- |
 * | missing, unreadable or old schema | update (build from the mirror), then open | `VULN_DB_MISSING` / `VULN_DB_CORRUPT` / `VULN_DB_SCHEMA` |
 * | checked within `maxAgeMs` | open | open |
 * | older than `maxAgeMs` | update, then open; if the update fails, `VULN_DB_STALE` (cause: the failure) | open, with a `VULN_DB_STALE` warning |
 *
 * `skipUpdate` (Trivy's `--skip-db-update`) and `offline` behave the same here; `offline`
 * additionally tells the rest of a scan to make no network requests.
 */
import { join } from 'node:path';
import { BosunError, isBosunError, type ErrorCode } from '../../errors.js';
import { DB_FILE, defaultDbDir } from './build.js';
import { metaValue } from './schema.js';
import { SqliteAdvisorySource } from './sqlite-source.js';
import { updateDatabase, type UpdateOptions, type UpdateReport } from './update.js';

/** A database older than this (since its last successful update) is stale: 24 hours. */
export const DEFAULT_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export interface OpenDatabaseOptions {
  /** The db directory; default `defaultDbDir()`. */
  dir?: string;
  maxAgeMs?: number;
  skipUpdate?: boolean;
  offline?: boolean;
  /** Mirror, ecosystems, progress and signal for an update this call decides to run. */
  update?: Omit<UpdateOptions, 'dir'>;
  now?: () => Date;
}

export interface OpenedDatabase {
  source: SqliteAdvisorySource;
  /** Set when this call updated the database. */
  updated?: UpdateReport;
  /** Things the caller should show the user (a stale database used as is). */
  warnings: Array<{ code: ErrorCode; message: string }>;
}

/** Opens the database per the table above. The caller closes `source`. */
export async function openDatabase(opts: OpenDatabaseOptions = {}): Promise<OpenedDatabase> {
  const dir = opts.dir ?? defaultDbDir();
  const file = join(dir, DB_FILE);
  const now = opts.now ?? (() => new Date());
  const maxAge = opts.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  const mayUpdate = !opts.skipUpdate && !opts.offline;
  let source: SqliteAdvisorySource;
  try {
    source = SqliteAdvisorySource.open(file);
  } catch (err) {
    if (!mayUpdate || !isBosunError(err, 'VULN_DB_MISSING', 'VULN_DB_CORRUPT', 'VULN_DB_SCHEMA')) throw err;
    const updated = await updateDatabase({ ...opts.update, dir, now });
    return { source: SqliteAdvisorySource.open(file), updated, warnings: [] };
  }
  const checkedAt = metaValue(source.db, 'checked_at');
  const ageMs = checkedAt ? now().getTime() - Date.parse(checkedAt) : Number.POSITIVE_INFINITY;
  if (ageMs <= maxAge) return { source, warnings: [] };
  const age = `last updated ${checkedAt ?? 'never'}, older than ${Math.round(maxAge / 3_600_000)} h`;
  if (!mayUpdate) return { source, warnings: [{ code: 'VULN_DB_STALE', message: `vulnerability database "${file}" is stale (${age}); scanning with it as asked` }] };
  source.close();
  let updated: UpdateReport;
  try {
    updated = await updateDatabase({ ...opts.update, dir, now });
  } catch (err) {
    if (isBosunError(err, 'ABORTED')) throw err;
    throw new BosunError('VULN_DB_STALE', `vulnerability database "${file}" is stale (${age}) and updating it failed`, { cause: err });
  }
  return { source: SqliteAdvisorySource.open(file), updated, warnings: [] };
}
