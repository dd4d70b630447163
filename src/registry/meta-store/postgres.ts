import pg from 'pg';
import { BosunError } from '../../errors.js';
import type { Digest } from '../../oci/digest.js';
import type { Descriptor } from '../../oci/types.js';
import type { LifecycleStore } from '../lifecycle/lifecycle-store.js';
import { referrerDescriptor, type ManifestRecord, type MetaStore, type Page, type TagGuard, type UploadRecord } from './meta-store.js';
import { lockSpaces, pgStoreFailed, pgTransaction, type Queryable } from './pg-tx.js';
import { PostgresLifecycleStore } from './postgres-lifecycle.js';
import { postgresMigrations } from './postgres-migrations.js';

export interface PostgresMetaStoreOptions {
  /** `postgresql://user[:password]@host[:port]/db[?sslmode=…]`; `?host=/dir` for a unix socket. */
  url: string;
  /** Pool size per process (default 10). */
  maxConnections?: number;
  /**
   * Called when an idle pooled connection fails (server restart, network cut). The pool has
   * already dropped it and the next query opens a new one; this is for logging.
   */
  onIdleError?: (err: Error) => void;
}

interface ManifestRow {
  digest: string;
  media_type: string;
  size: string;
  subject: string | null;
  artifact_type: string | null;
  annotations: string | null;
}

interface UploadRow {
  id: string;
  repo: string;
  size: string;
  updated_at: string;
}

// Any constant works: it only has to be the same in every replica running migrations.
const migrationLock = 0x626f73756e;
const manifestColumns = 'm.digest, m.media_type, m.size, m.subject, m.artifact_type, m.annotations';

function toRecord(repo: string, row: ManifestRow): ManifestRecord {
  // BIGINT columns arrive as strings (pg does not guess at precision); sizes fit a double.
  const r: ManifestRecord = { repo, digest: row.digest as Digest, mediaType: row.media_type, size: Number(row.size) };
  if (row.subject !== null) r.subject = row.subject as Digest;
  if (row.artifact_type !== null) r.artifactType = row.artifact_type;
  if (row.annotations !== null) r.annotations = JSON.parse(row.annotations) as Record<string, string>;
  return r;
}

function toUpload(row: UploadRow): UploadRecord {
  return { id: row.id, repo: row.repo, size: Number(row.size), updatedAt: Number(row.updated_at) };
}

function storeFailed(what: string, err: unknown): BosunError {
  return pgStoreFailed('metadata', what, err);
}

/**
 * The id of repository `name`, created when missing, its row locked FOR SHARE until the
 * transaction ends: writes into a repository run side by side, but never inside a GC or
 * retention sweep of it (which locks the row FOR UPDATE), so a sweep sees each of them
 * committed or not begun.
 */
export async function ensureRepo(c: Queryable, name: string, mode: 'SHARE' | 'UPDATE' = 'SHARE'): Promise<string> {
  // Two statements, not one upsert: under READ COMMITTED the SELECT sees a row another
  // replica committed while the INSERT waited on it, and no dead row is made per push.
  await c.query('INSERT INTO repositories (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [name]);
  const { rows } = await c.query<{ id: string }>(`SELECT id FROM repositories WHERE name = $1 FOR ${mode}`, [name]);
  return rows[0]!.id;
}

/** Serialises guarded writes of one tag across every process sharing the database. */
async function lockTag(c: Queryable, repo: string, tag: string): Promise<string | undefined> {
  // ':' appears in neither repository names nor tags, so the key names one (repo, tag).
  await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [lockSpaces.tag, `${repo}:${tag}`]);
  const { rows } = await c.query<{ digest: string }>('SELECT t.digest FROM repositories r JOIN tags t ON t.repo_id = r.id WHERE r.name = $1 AND t.name = $2', [repo, tag]);
  return rows[0]?.digest;
}

/**
 * MetaStore on PostgreSQL (node-postgres, pure JS): the same tables as the SQLite store, schema
 * migrated on open under an advisory lock, so any number of registry processes (replicas) can
 * share one database and start together. Manifest puts and deletes run in one transaction
 * committed with `synchronous_commit = on`, durable on the server (and its synchronous
 * standbys) before the promise resolves, whatever the server's default. Listing is
 * `WHERE name > last ORDER BY name LIMIT n` on the primary-key indexes, so it never scans past n.
 */
export class PostgresMetaStore implements MetaStore {
  private constructor(private readonly connections: pg.Pool) {}

  /** The connection pool, shared with the feature stores (accounts, rules, audit, scans). */
  get pool(): pg.Pool {
    return this.connections;
  }

  /** Connects and migrates; throws REGISTRY_SERVE_STORE_FAILED (the URL's password is never shown). */
  static async open(opts: PostgresMetaStoreOptions): Promise<PostgresMetaStore> {
    const pool = new pg.Pool({
      connectionString: opts.url,
      max: opts.maxConnections ?? 10,
      connectionTimeoutMillis: 10_000,
      // A hung server must not hang requests forever; every statement here is an index lookup.
      statement_timeout: 30_000,
      application_name: 'bosun-registry',
    });
    pool.on('error', (err) => opts.onIdleError?.(err));
    const store = new PostgresMetaStore(pool);
    try {
      await store.tx('migrate', (c) => store.migrate(c));
    } catch (err) {
      await pool.end();
      throw err;
    }
    return store;
  }

  private async migrate(c: Queryable): Promise<void> {
    await c.query('SELECT pg_advisory_xact_lock($1)', [migrationLock]);
    await c.query('CREATE TABLE IF NOT EXISTS bosun_schema (version INTEGER NOT NULL)');
    const { rows } = await c.query<{ version: number }>('SELECT version FROM bosun_schema');
    if (rows.length === 0) await c.query('INSERT INTO bosun_schema (version) VALUES (0)');
    const have = rows[0]?.version ?? 0;
    if (have > postgresMigrations.length) {
      throw new BosunError('REGISTRY_SERVE_STORE_FAILED', `metadata schema version ${have} is newer than this bosun (${postgresMigrations.length}); upgrade bosun`);
    }
    for (let v = have; v < postgresMigrations.length; v++) await c.query(postgresMigrations[v]!);
    await c.query('UPDATE bosun_schema SET version = $1', [postgresMigrations.length]);
  }

  private async q<R extends pg.QueryResultRow>(what: string, sql: string, params: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(sql, params);
    } catch (err) {
      throw storeFailed(what, err);
    }
  }

  /** Runs `fn` in a transaction that is durable once committed; retried on deadlock. */
  private tx<T>(what: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return pgTransaction(this.pool, 'metadata', what, fn);
  }

  async linkBlob(repo: string, digest: Digest, size: number): Promise<void> {
    await this.tx('link blob', async (c) => {
      const id = await ensureRepo(c, repo);
      await c.query(
        `INSERT INTO blob_links (repo_id, digest, size, linked_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (repo_id, digest) DO UPDATE SET size = EXCLUDED.size, linked_at = EXCLUDED.linked_at`,
        [id, digest, size, Date.now()],
      );
    });
  }

  async blobLink(repo: string, digest: Digest): Promise<{ size: number } | undefined> {
    const { rows } = await this.q<{ size: string }>(
      'read blob link',
      'SELECT b.size FROM repositories r JOIN blob_links b ON b.repo_id = r.id WHERE r.name = $1 AND b.digest = $2',
      [repo, digest],
    );
    return rows[0] && { size: Number(rows[0].size) };
  }

  async repositoriesLinking(digest: Digest, limit: number): Promise<string[]> {
    const { rows } = await this.q<{ name: string }>(
      'list repositories linking a blob',
      'SELECT r.name FROM blob_links b JOIN repositories r ON r.id = b.repo_id WHERE b.digest = $1 ORDER BY b.repo_id LIMIT $2',
      [digest, limit],
    );
    return rows.map((r) => r.name);
  }

  async unlinkBlob(repo: string, digest: Digest): Promise<boolean> {
    const res = await this.q('unlink blob', 'DELETE FROM blob_links WHERE repo_id = (SELECT id FROM repositories WHERE name = $1) AND digest = $2', [repo, digest]);
    return (res.rowCount ?? 0) > 0;
  }

  async putManifest(r: ManifestRecord, tag?: string, refs?: readonly Digest[], guard?: TagGuard): Promise<void> {
    await this.tx('put manifest', async (c) => {
      const id = await ensureRepo(c, r.repo);
      if (tag !== undefined && guard) guard.check(tag, (await lockTag(c, r.repo, tag)) as Digest | undefined, r.digest);
      const now = Date.now();
      if (refs) await recordRefs(c, id, r, refs);
      await c.query(
        `INSERT INTO blob_links (repo_id, digest, size, linked_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (repo_id, digest) DO UPDATE SET size = EXCLUDED.size, linked_at = EXCLUDED.linked_at`,
        [id, r.digest, r.size, now],
      );
      await c.query(
        `INSERT INTO manifests (repo_id, digest, media_type, size, subject, artifact_type, annotations, pushed_at, refs_known) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (repo_id, digest) DO UPDATE SET media_type = EXCLUDED.media_type, size = EXCLUDED.size, subject = EXCLUDED.subject,
           artifact_type = EXCLUDED.artifact_type, annotations = EXCLUDED.annotations, pushed_at = EXCLUDED.pushed_at,
           refs_known = GREATEST(manifests.refs_known, EXCLUDED.refs_known)`,
        [id, r.digest, r.mediaType, r.size, r.subject ?? null, r.artifactType ?? null, r.annotations ? JSON.stringify(r.annotations) : null, now, refs ? 1 : 0],
      );
      if (tag !== undefined) {
        await c.query(
          `INSERT INTO tags (repo_id, name, digest, pushed_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (repo_id, name) DO UPDATE SET digest = EXCLUDED.digest, pushed_at = EXCLUDED.pushed_at,
             pulled_at = CASE WHEN tags.digest = EXCLUDED.digest THEN tags.pulled_at ELSE 0 END`,
          [id, tag, r.digest, now],
        );
      }
    });
  }

  async getManifest(repo: string, digest: Digest): Promise<ManifestRecord | undefined> {
    const { rows } = await this.q<ManifestRow>(
      'read manifest',
      `SELECT ${manifestColumns} FROM repositories r JOIN manifests m ON m.repo_id = r.id WHERE r.name = $1 AND m.digest = $2`,
      [repo, digest],
    );
    return rows[0] && toRecord(repo, rows[0]);
  }

  async resolveTag(repo: string, tag: string): Promise<ManifestRecord | undefined> {
    const { rows } = await this.q<ManifestRow>(
      'resolve tag',
      `SELECT ${manifestColumns} FROM repositories r JOIN tags t ON t.repo_id = r.id
       JOIN manifests m ON m.repo_id = r.id AND m.digest = t.digest WHERE r.name = $1 AND t.name = $2`,
      [repo, tag],
    );
    return rows[0] && toRecord(repo, rows[0]);
  }

  async deleteManifest(repo: string, digest: Digest, guard?: TagGuard): Promise<boolean> {
    return this.tx('delete manifest', async (c) => {
      // With a guard, FOR UPDATE: no guarded put into the repository (FOR SHARE) can add a
      // protected tag to this digest between the check and the delete.
      const { rows } = await c.query<{ id: string }>(`SELECT id FROM repositories WHERE name = $1 FOR ${guard ? 'UPDATE' : 'SHARE'}`, [repo]);
      const id = rows[0]?.id;
      if (id === undefined) return false;
      if (guard) {
        const tags = await c.query<{ name: string }>('SELECT name FROM tags WHERE repo_id = $1 AND digest = $2', [id, digest]);
        for (const t of tags.rows) guard.check(t.name, digest, undefined);
      }
      await c.query('DELETE FROM tags WHERE repo_id = $1 AND digest = $2', [id, digest]);
      await c.query('DELETE FROM blob_links WHERE repo_id = $1 AND digest = $2', [id, digest]);
      await c.query('DELETE FROM manifest_refs WHERE repo_id = $1 AND manifest = $2', [id, digest]);
      const res = await c.query('DELETE FROM manifests WHERE repo_id = $1 AND digest = $2', [id, digest]);
      return (res.rowCount ?? 0) > 0;
    });
  }

  async deleteTag(repo: string, tag: string, guard?: TagGuard): Promise<boolean> {
    const sql = 'DELETE FROM tags WHERE repo_id = (SELECT id FROM repositories WHERE name = $1) AND name = $2';
    if (!guard) return ((await this.q('delete tag', sql, [repo, tag])).rowCount ?? 0) > 0;
    return this.tx('delete tag', async (c) => {
      guard.check(tag, (await lockTag(c, repo, tag)) as Digest | undefined, undefined);
      return ((await c.query(sql, [repo, tag])).rowCount ?? 0) > 0;
    });
  }

  async tagsOf(repo: string, digest: Digest, page: Page): Promise<string[]> {
    const { rows } = await this.q<{ name: string }>(
      'list tags of a manifest',
      'SELECT t.name FROM repositories r JOIN tags t ON t.repo_id = r.id WHERE r.name = $1 AND t.digest = $2 AND t.name > $3 ORDER BY t.name LIMIT $4',
      [repo, digest, page.last ?? '', page.n],
    );
    return rows.map((r) => r.name);
  }

  async listTags(repo: string, page: Page): Promise<string[] | undefined> {
    const { rows: repos } = await this.q<{ id: string }>('list tags', 'SELECT id FROM repositories WHERE name = $1', [repo]);
    if (repos.length === 0) return undefined;
    const { rows } = await this.q<{ name: string }>('list tags', 'SELECT name FROM tags WHERE repo_id = $1 AND name > $2 ORDER BY name LIMIT $3', [
      repos[0]!.id,
      page.last ?? '',
      page.n,
    ]);
    return rows.map((r) => r.name);
  }

  async listRepositories(page: Page): Promise<string[]> {
    const { rows } = await this.q<{ name: string }>('list repositories', 'SELECT name FROM repositories WHERE name > $1 ORDER BY name LIMIT $2', [page.last ?? '', page.n]);
    return rows.map((r) => r.name);
  }

  async referrers(repo: string, subject: Digest, opts: { artifactType?: string; limit: number; after?: Digest }): Promise<Descriptor[]> {
    const params: unknown[] = [repo, subject, opts.limit, opts.after ?? ''];
    const byType = opts.artifactType === undefined ? '' : `AND m.artifact_type = $${params.push(opts.artifactType)}`;
    const { rows } = await this.q<ManifestRow>(
      'list referrers',
      `SELECT ${manifestColumns} FROM repositories r JOIN manifests m ON m.repo_id = r.id
       WHERE r.name = $1 AND m.subject = $2 AND m.digest > $4 ${byType} ORDER BY m.digest LIMIT $3`,
      params,
    );
    return rows.map((row) => referrerDescriptor(toRecord(repo, row)));
  }

  async createUpload(u: UploadRecord): Promise<void> {
    await this.q('create upload', 'INSERT INTO uploads (id, repo, size, updated_at) VALUES ($1, $2, $3, $4)', [u.id, u.repo, u.size, u.updatedAt]);
  }

  async getUpload(id: string): Promise<UploadRecord | undefined> {
    const { rows } = await this.q<UploadRow>('read upload', 'SELECT id, repo, size, updated_at FROM uploads WHERE id = $1', [id]);
    return rows[0] && toUpload(rows[0]);
  }

  async setUploadSize(id: string, size: number, updatedAt: number): Promise<void> {
    await this.q('update upload', 'UPDATE uploads SET size = $1, updated_at = $2 WHERE id = $3', [size, updatedAt, id]);
  }

  async deleteUpload(id: string): Promise<void> {
    await this.q('delete upload', 'DELETE FROM uploads WHERE id = $1', [id]);
  }

  async staleUploads(before: number, limit: number): Promise<UploadRecord[]> {
    const { rows } = await this.q<UploadRow>('list stale uploads', 'SELECT id, repo, size, updated_at FROM uploads WHERE updated_at < $1 ORDER BY updated_at LIMIT $2', [before, limit]);
    return rows.map(toUpload);
  }

  async listUploadIds(): Promise<string[]> {
    const { rows } = await this.q<{ id: string }>('list uploads', 'SELECT id FROM uploads', []);
    return rows.map((r) => r.id);
  }

  lifecycle(): LifecycleStore {
    return new PostgresLifecycleStore(this.pool);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

// Inside the put's transaction: GC removes links in transactions that lock the repository row
// FOR UPDATE, so a reference checked here cannot vanish before the manifest that needs it commits.
async function recordRefs(c: Queryable, id: string, r: ManifestRecord, refs: readonly Digest[]): Promise<void> {
  for (const ref of refs) {
    const { rowCount } = await c.query('SELECT 1 FROM blob_links WHERE repo_id = $1 AND digest = $2 UNION ALL SELECT 1 FROM manifests WHERE repo_id = $1 AND digest = $2 LIMIT 1', [id, ref]);
    if (!rowCount) throw new BosunError('REGISTRY_SERVE_MANIFEST_BLOB_UNKNOWN', `manifest references ${ref}, which "${r.repo}" does not hold`);
  }
  await c.query('DELETE FROM manifest_refs WHERE repo_id = $1 AND manifest = $2', [id, r.digest]);
  if (refs.length > 0) {
    await c.query('INSERT INTO manifest_refs (repo_id, manifest, ref) SELECT $1, $2, unnest($3::text[]) ON CONFLICT DO NOTHING', [id, r.digest, [...refs]]);
  }
}
