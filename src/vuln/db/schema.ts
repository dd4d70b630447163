/**
 * The SQLite schema of the vulnerability database and its migrations.
 *
 * ```
 * meta              key → value: schema_version, built_at (data last changed), checked_at
 *                   (last time every source was confirmed current)
 * sources           one row per source (an ecosystem archive, or an import): url, etag,
 *                   last_modified, sha256, records, rejected, fetched_at
 * advisories        rowid, id (unique), modified, withdrawn, group_id, body (Advisory JSON)
 * advisory_sources  (source, advisory rowid): which sources hold a record; a record with no
 *                   source left is deleted
 * affected          (ecosystem, release, name, advisory rowid) + withdrawn flag: the lookup
 *                   index, keyed by the normalised forms of ecosystem.ts; a WITHOUT ROWID table
 *                   whose key is the forPackage query, so a lookup never leaves this b-tree
 * links             (target, advisory rowid, kind): aliases and related ids, for alias groups
 * ```
 *
 * Migrations run only on a database being built (a temp copy, see build.ts); readers refuse a
 * version they do not know with `VULN_DB_SCHEMA`.
 */
import type { Database } from 'better-sqlite3';
import { BosunError } from '../../errors.js';

interface Migration {
  version: number;
  up: string;
}

const migrations: readonly Migration[] = [
  {
    version: 1,
    up: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE sources (
        name TEXT PRIMARY KEY, url TEXT, etag TEXT, last_modified TEXT, sha256 TEXT,
        records INTEGER NOT NULL, rejected INTEGER NOT NULL, fetched_at TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE advisories (
        rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, modified TEXT NOT NULL,
        withdrawn TEXT, group_id TEXT, body TEXT NOT NULL
      );
      CREATE INDEX advisories_by_group ON advisories(group_id);
      CREATE TABLE advisory_sources (
        source TEXT NOT NULL, advisory INTEGER NOT NULL, PRIMARY KEY (source, advisory)
      ) WITHOUT ROWID;
      CREATE INDEX advisory_sources_by_advisory ON advisory_sources(advisory);
      CREATE TABLE affected (
        ecosystem TEXT NOT NULL, release TEXT NOT NULL, name TEXT NOT NULL, advisory INTEGER NOT NULL,
        withdrawn INTEGER NOT NULL, PRIMARY KEY (ecosystem, release, name, advisory)
      ) WITHOUT ROWID;
      CREATE INDEX affected_by_advisory ON affected(advisory);
      CREATE TABLE links (
        target TEXT NOT NULL, advisory INTEGER NOT NULL, kind TEXT NOT NULL,
        PRIMARY KEY (target, advisory, kind)
      ) WITHOUT ROWID;
      CREATE INDEX links_by_advisory ON links(advisory);
    `,
  },
];

/** The schema version this build of bosun writes and reads. */
export const SCHEMA_VERSION = migrations[migrations.length - 1]!.version;

/** The schema version recorded in `db` (0 for an empty file). */
export function schemaVersion(db: Database): number {
  const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
  if (!hasMeta) return 0;
  const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined;
  return row ? Number(row.value) : 0;
}

/**
 * Brings a writable database up to `SCHEMA_VERSION`, one transaction per step.
 * Throws `VULN_DB_SCHEMA` when the file is newer than this bosun.
 */
export function migrate(db: Database): void {
  const from = schemaVersion(db);
  if (from > SCHEMA_VERSION) {
    throw new BosunError('VULN_DB_SCHEMA', `database schema version ${from} is newer than this bosun reads (${SCHEMA_VERSION})`);
  }
  for (const m of migrations) {
    if (m.version <= from) continue;
    db.transaction(() => {
      db.exec(m.up);
      db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)").run(String(m.version));
    })();
  }
}

/** Throws `VULN_DB_SCHEMA` unless `db` is exactly at `SCHEMA_VERSION` (readers never migrate). */
export function assertSchema(db: Database, file: string): void {
  const v = schemaVersion(db);
  if (v !== SCHEMA_VERSION) {
    throw new BosunError('VULN_DB_SCHEMA', `database "${file}" has schema version ${v}, this bosun reads ${SCHEMA_VERSION}`);
  }
}

/** Reads one `meta` value. */
export function metaValue(db: Database, key: string): string | undefined {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}
