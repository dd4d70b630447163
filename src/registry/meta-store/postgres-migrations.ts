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
];
