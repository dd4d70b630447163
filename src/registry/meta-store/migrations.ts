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
  // access control: user and robot accounts (scrypt secret hashes) and their grants.
  `CREATE TABLE accounts (
     name TEXT PRIMARY KEY,
     kind TEXT NOT NULL CHECK (kind IN ('user', 'robot')),
     secret TEXT NOT NULL,
     description TEXT,
     created_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE TABLE account_grants (
     account TEXT NOT NULL REFERENCES accounts(name) ON DELETE CASCADE,
     pattern TEXT NOT NULL,
     actions TEXT NOT NULL,
     PRIMARY KEY (account, pattern)
   ) WITHOUT ROWID;`,
  // Immutable tag rules (src/registry/immutable-tags/). AUTOINCREMENT: ids are never reused,
  // so an error naming a rule stays unambiguous after rules are removed.
  `CREATE TABLE immutable_tag_rules (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     repository TEXT NOT NULL,
     tag TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     UNIQUE (repository, tag)
   );`,
  // lifecycle (gc, retention): push/pull/link times, each manifest's references, and which
  // process owns the data directory (a server, or an offline gc/retention run).
  `ALTER TABLE blob_links ADD COLUMN linked_at INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE manifests ADD COLUMN pushed_at INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE manifests ADD COLUMN pulled_at INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE manifests ADD COLUMN refs_known INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE tags ADD COLUMN pushed_at INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE tags ADD COLUMN pulled_at INTEGER NOT NULL DEFAULT 0;
   CREATE TABLE manifest_refs (
     repo_id INTEGER NOT NULL REFERENCES repositories(id),
     manifest TEXT NOT NULL,
     ref TEXT NOT NULL,
     PRIMARY KEY (repo_id, manifest, ref)
   ) WITHOUT ROWID;
   CREATE INDEX manifest_refs_by_ref ON manifest_refs (ref);
   CREATE INDEX blob_links_by_digest ON blob_links (digest);
   CREATE INDEX manifests_by_digest ON manifests (digest);
   CREATE TABLE data_owner (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     pid INTEGER NOT NULL,
     role TEXT NOT NULL,
     since INTEGER NOT NULL
   );`,
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
