import pg from 'pg';
import { BosunError } from '../../errors.js';
import type { Digest } from '../../oci/digest.js';
import type { Descriptor } from '../../oci/types.js';
import { referrerDescriptor, type ManifestRecord, type MetaStore, type Page, type UploadRecord } from './meta-store.js';
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
// Deadlock and serialization failures: the transaction did nothing and may simply run again.
const retryable = new Set(['40P01', '40001']);
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
  if (err instanceof BosunError) return err;
  return new BosunError('REGISTRY_SERVE_STORE_FAILED', `metadata (postgres): ${what} failed`, { cause: err });
}

type Queryable = Pick<pg.PoolClient, 'query'>;

async function ensureRepo(c: Queryable, name: string): Promise<string> {
  // Two statements, not one upsert: under READ COMMITTED the SELECT sees a row another
  // replica committed while the INSERT waited on it, and no dead row is made per push.
  await c.query('INSERT INTO repositories (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [name]);
  const { rows } = await c.query<{ id: string }>('SELECT id FROM repositories WHERE name = $1', [name]);
  return rows[0]!.id;
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
  private constructor(private readonly pool: pg.Pool) {}

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
  private async tx<T>(what: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient | undefined;
      try {
        client = await this.pool.connect();
        await client.query('BEGIN');
        await client.query('SET LOCAL synchronous_commit = on');
        const out = await fn(client);
        await client.query('COMMIT');
        client.release();
        return out;
      } catch (err) {
        // A failed ROLLBACK means the connection is broken: release(true) discards it.
        const broken = client ? await client.query('ROLLBACK').then(() => false, () => true) : false;
        client?.release(broken);
        const code = (err as { code?: string }).code;
        if (attempt < 3 && code !== undefined && retryable.has(code)) continue;
        throw storeFailed(what, err);
      }
    }
  }

  async linkBlob(repo: string, digest: Digest, size: number): Promise<void> {
    await this.tx('link blob', async (c) => {
      const id = await ensureRepo(c, repo);
      await c.query('INSERT INTO blob_links (repo_id, digest, size) VALUES ($1, $2, $3) ON CONFLICT (repo_id, digest) DO UPDATE SET size = EXCLUDED.size', [id, digest, size]);
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

  async unlinkBlob(repo: string, digest: Digest): Promise<boolean> {
    const res = await this.q('unlink blob', 'DELETE FROM blob_links WHERE repo_id = (SELECT id FROM repositories WHERE name = $1) AND digest = $2', [repo, digest]);
    return (res.rowCount ?? 0) > 0;
  }

  async putManifest(r: ManifestRecord, tag?: string, refs?: readonly Digest[]): Promise<void> {
    await this.tx('put manifest', async (c) => {
      const id = await ensureRepo(c, r.repo);
      // Checked in the put's transaction, as SQLite does. References are not recorded: garbage
      // collection runs on SQLite only (docs/registry.md, Lifecycle).
      for (const ref of refs ?? []) {
        const { rowCount } = await c.query('SELECT 1 FROM blob_links WHERE repo_id = $1 AND digest = $2 UNION ALL SELECT 1 FROM manifests WHERE repo_id = $1 AND digest = $2 LIMIT 1', [id, ref]);
        if (!rowCount) throw new BosunError('REGISTRY_SERVE_MANIFEST_BLOB_UNKNOWN', `manifest references ${ref}, which "${r.repo}" does not hold`);
      }
      await c.query('INSERT INTO blob_links (repo_id, digest, size) VALUES ($1, $2, $3) ON CONFLICT (repo_id, digest) DO UPDATE SET size = EXCLUDED.size', [id, r.digest, r.size]);
      await c.query(
        `INSERT INTO manifests (repo_id, digest, media_type, size, subject, artifact_type, annotations) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (repo_id, digest) DO UPDATE SET media_type = EXCLUDED.media_type, size = EXCLUDED.size, subject = EXCLUDED.subject,
           artifact_type = EXCLUDED.artifact_type, annotations = EXCLUDED.annotations`,
        [id, r.digest, r.mediaType, r.size, r.subject ?? null, r.artifactType ?? null, r.annotations ? JSON.stringify(r.annotations) : null],
      );
      if (tag !== undefined) {
        await c.query('INSERT INTO tags (repo_id, name, digest) VALUES ($1, $2, $3) ON CONFLICT (repo_id, name) DO UPDATE SET digest = EXCLUDED.digest', [id, tag, r.digest]);
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

  async deleteManifest(repo: string, digest: Digest): Promise<boolean> {
    return this.tx('delete manifest', async (c) => {
      const { rows } = await c.query<{ id: string }>('SELECT id FROM repositories WHERE name = $1', [repo]);
      const id = rows[0]?.id;
      if (id === undefined) return false;
      await c.query('DELETE FROM tags WHERE repo_id = $1 AND digest = $2', [id, digest]);
      await c.query('DELETE FROM blob_links WHERE repo_id = $1 AND digest = $2', [id, digest]);
      const res = await c.query('DELETE FROM manifests WHERE repo_id = $1 AND digest = $2', [id, digest]);
      return (res.rowCount ?? 0) > 0;
    });
  }

  async deleteTag(repo: string, tag: string): Promise<boolean> {
    const res = await this.q('delete tag', 'DELETE FROM tags WHERE repo_id = (SELECT id FROM repositories WHERE name = $1) AND name = $2', [repo, tag]);
    return (res.rowCount ?? 0) > 0;
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

  async close(): Promise<void> {
    await this.pool.end();
  }
}
