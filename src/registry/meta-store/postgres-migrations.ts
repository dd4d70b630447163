/**
 * The PostgreSQL schema, as ordered migrations (the SQLite one is `migrations.ts`). Table
 * `bosun_schema` records how many have run; a migration is never edited once released, only
 * followed by another. Names are `COLLATE "C"` so that ORDER BY and `>` compare bytes, the
 * order the distribution spec's `n`/`last` pagination and the SQLite store use, whatever the
 * database's locale.
 */
export const postgresMigrations: readonly string[] = [
  `CREATE TABLE repositories (
     id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     name TEXT COLLATE "C" NOT NULL UNIQUE
   );
   CREATE TABLE blob_links (
     repo_id BIGINT NOT NULL REFERENCES repositories(id),
     digest TEXT NOT NULL,
     size BIGINT NOT NULL,
     PRIMARY KEY (repo_id, digest)
   );
   CREATE TABLE manifests (
     repo_id BIGINT NOT NULL REFERENCES repositories(id),
     digest TEXT NOT NULL,
     media_type TEXT NOT NULL,
     size BIGINT NOT NULL,
     subject TEXT,
     artifact_type TEXT,
     annotations TEXT,
     PRIMARY KEY (repo_id, digest)
   );
   CREATE INDEX manifests_by_subject ON manifests (repo_id, subject, digest) WHERE subject IS NOT NULL;
   CREATE TABLE tags (
     repo_id BIGINT NOT NULL REFERENCES repositories(id),
     name TEXT COLLATE "C" NOT NULL,
     digest TEXT NOT NULL,
     PRIMARY KEY (repo_id, name)
   );
   CREATE INDEX tags_by_digest ON tags (repo_id, digest);
   CREATE TABLE uploads (
     id TEXT PRIMARY KEY,
     repo TEXT NOT NULL,
     size BIGINT NOT NULL,
     updated_at BIGINT NOT NULL
   );
   CREATE INDEX uploads_by_age ON uploads (updated_at);`,
  // lifecycle (gc, retention): push/pull/link times and each manifest's references, as in
  // SQLite; content_holds: digests a request is about to reference (cross-replica ContentGuard).
  `ALTER TABLE blob_links ADD COLUMN linked_at BIGINT NOT NULL DEFAULT 0;
   ALTER TABLE manifests ADD COLUMN pushed_at BIGINT NOT NULL DEFAULT 0;
   ALTER TABLE manifests ADD COLUMN pulled_at BIGINT NOT NULL DEFAULT 0;
   ALTER TABLE manifests ADD COLUMN refs_known SMALLINT NOT NULL DEFAULT 0;
   ALTER TABLE tags ADD COLUMN pushed_at BIGINT NOT NULL DEFAULT 0;
   ALTER TABLE tags ADD COLUMN pulled_at BIGINT NOT NULL DEFAULT 0;
   CREATE TABLE manifest_refs (
     repo_id BIGINT NOT NULL REFERENCES repositories(id),
     manifest TEXT NOT NULL,
     ref TEXT NOT NULL,
     PRIMARY KEY (repo_id, manifest, ref)
   );
   CREATE INDEX manifest_refs_by_ref ON manifest_refs (ref);
   CREATE INDEX blob_links_by_digest ON blob_links (digest);
   CREATE INDEX manifests_by_digest ON manifests (digest);
   CREATE TABLE content_holds (
     holder TEXT PRIMARY KEY,
     digest TEXT NOT NULL,
     since BIGINT NOT NULL
   );
   CREATE INDEX content_holds_by_digest ON content_holds (digest);`,
  // Accounts, immutable tag rules, the audit log and scan results: what SQLite keeps in
  // meta.db, shared here by every replica. Identity ids are never reused, as AUTOINCREMENT.
  // registry_keys: the token signing key, which a SQLite registry keeps in token-key.pem.
  `CREATE TABLE registry_keys (
     name TEXT PRIMARY KEY,
     pem TEXT NOT NULL,
     created_at BIGINT NOT NULL
   );
   CREATE TABLE accounts (
     name TEXT COLLATE "C" PRIMARY KEY,
     kind TEXT NOT NULL CHECK (kind IN ('user', 'robot')),
     secret TEXT NOT NULL,
     description TEXT,
     created_at BIGINT NOT NULL
   );
   CREATE TABLE account_grants (
     account TEXT COLLATE "C" NOT NULL REFERENCES accounts(name) ON DELETE CASCADE,
     pattern TEXT COLLATE "C" NOT NULL,
     actions TEXT NOT NULL,
     PRIMARY KEY (account, pattern)
   );
   CREATE TABLE immutable_tag_rules (
     id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     repository TEXT NOT NULL,
     tag TEXT NOT NULL,
     created_at BIGINT NOT NULL,
     UNIQUE (repository, tag)
   );
   CREATE TABLE audit_log (
     seq BIGINT PRIMARY KEY,
     time TEXT COLLATE "C" NOT NULL,
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
   CREATE FUNCTION bosun_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS
     $fn$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $fn$;
   CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
     FOR EACH ROW EXECUTE FUNCTION bosun_audit_log_append_only();
   CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
     FOR EACH STATEMENT EXECUTE FUNCTION bosun_audit_log_append_only();
   CREATE TABLE scans (
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
   );`,
  // Automatic cross-repository mount: repositories linking a digest, in repository id order,
  // read from the index in order (the single-column index made Postgres sort every link).
  `CREATE INDEX blob_links_by_digest_repo ON blob_links (digest, repo_id);
   DROP INDEX blob_links_by_digest;`,
];
