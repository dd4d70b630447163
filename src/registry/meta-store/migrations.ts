/**
 * The SQLite schema, as ordered migrations. `PRAGMA user_version` records how many have run;
 * a migration is never edited once released, only followed by another.
 */
export const migrations: readonly string[] = [
  `CREATE TABLE repositories (
     id INTEGER PRIMARY KEY,
     name TEXT NOT NULL UNIQUE
   );
   CREATE TABLE blob_links (
     repo_id INTEGER NOT NULL REFERENCES repositories(id),
     digest TEXT NOT NULL,
     size INTEGER NOT NULL,
     PRIMARY KEY (repo_id, digest)
   ) WITHOUT ROWID;
   CREATE TABLE manifests (
     repo_id INTEGER NOT NULL REFERENCES repositories(id),
     digest TEXT NOT NULL,
     media_type TEXT NOT NULL,
     size INTEGER NOT NULL,
     subject TEXT,
     artifact_type TEXT,
     annotations TEXT,
     PRIMARY KEY (repo_id, digest)
   ) WITHOUT ROWID;
   CREATE INDEX manifests_by_subject ON manifests (repo_id, subject, digest) WHERE subject IS NOT NULL;
   CREATE TABLE tags (
     repo_id INTEGER NOT NULL REFERENCES repositories(id),
     name TEXT NOT NULL,
     digest TEXT NOT NULL,
     PRIMARY KEY (repo_id, name)
   ) WITHOUT ROWID;
   CREATE INDEX tags_by_digest ON tags (repo_id, digest);
   CREATE TABLE uploads (
     id TEXT PRIMARY KEY,
     repo TEXT NOT NULL,
     size INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX uploads_by_age ON uploads (updated_at);`,
  // audit log (src/registry/audit): append-only, hash-chained; triggers refuse edits.
  `CREATE TABLE audit_log (
     seq INTEGER PRIMARY KEY,
     time TEXT NOT NULL,
     action TEXT NOT NULL,
     outcome TEXT NOT NULL,
     actor_kind TEXT NOT NULL,
     actor TEXT,
     ip TEXT,
     repo TEXT,
     digest TEXT,
     tag TEXT,
     detail TEXT,
     prev TEXT NOT NULL,
     hash TEXT NOT NULL
   );
   CREATE INDEX audit_log_by_time ON audit_log (time);
   CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
   CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;`,
  // scan-on-push results (src/registry/scan): one row per scanned manifest.
  `CREATE TABLE scans (
     repo TEXT NOT NULL,
     digest TEXT NOT NULL,
     status TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     summary TEXT,
     report TEXT,
     reason TEXT,
     sbom_digest TEXT,
     report_digest TEXT,
     PRIMARY KEY (repo, digest)
   ) WITHOUT ROWID;`,
];
