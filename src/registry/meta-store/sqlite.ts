import Database from 'better-sqlite3';
import { BosunError } from '../../errors.js';
import type { Digest } from '../../oci/digest.js';
import type { Descriptor } from '../../oci/types.js';
import type { LifecycleStore } from '../lifecycle/lifecycle-store.js';
import { referrerDescriptor, type ManifestRecord, type MetaStore, type Page, type TagGuard, type UploadRecord } from './meta-store.js';
import { migrations } from './migrations.js';
import { SqliteLifecycleStore } from './sqlite-lifecycle.js';

interface ManifestRow {
  digest: string;
  media_type: string;
  size: number;
  subject: string | null;
  artifact_type: string | null;
  annotations: string | null;
}

interface UploadRow {
  id: string;
  repo: string;
  size: number;
  updated_at: number;
}

const manifestColumns = 'm.digest, m.media_type, m.size, m.subject, m.artifact_type, m.annotations';

function toRecord(repo: string, row: ManifestRow): ManifestRecord {
  const r: ManifestRecord = { repo, digest: row.digest as Digest, mediaType: row.media_type, size: row.size };
  if (row.subject !== null) r.subject = row.subject as Digest;
  if (row.artifact_type !== null) r.artifactType = row.artifact_type;
  if (row.annotations !== null) r.annotations = JSON.parse(row.annotations) as Record<string, string>;
  return r;
}

function toUpload(row: UploadRow): UploadRecord {
  return { id: row.id, repo: row.repo, size: row.size, updatedAt: row.updated_at };
}

/** Runs `fn`, turning any driver error into REGISTRY_SERVE_STORE_FAILED. */
function guarded<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof BosunError) throw err;
    throw new BosunError('REGISTRY_SERVE_STORE_FAILED', `metadata: ${what} failed`, { cause: err });
  }
}

/**
 * Sets the connection pragmas (WAL, foreign keys) and runs the pending migrations on a
 * meta.db connection. Other stores sharing the file (access control) call it on their own
 * connection; a database from a newer bosun throws REGISTRY_SERVE_STORE_FAILED.
 */
export function migrateMetaDatabase(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  const have = db.pragma('user_version', { simple: true }) as number;
  if (have > migrations.length) {
    throw new BosunError('REGISTRY_SERVE_STORE_FAILED', `metadata schema version ${have} is newer than this bosun (${migrations.length}); upgrade bosun`);
  }
  for (let v = have; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

/**
 * MetaStore on SQLite (better-sqlite3): WAL journal, schema migrated on open. One process owns
 * the file. Manifests, tags and blob links are written with `synchronous = FULL` (fsynced
 * before the promise resolves, so an acknowledged push survives power loss); upload-session
 * bookkeeping with NORMAL, which survives a process crash and costs no fsync.
 */
export class SqliteMetaStore implements MetaStore {
  private readonly db: Database.Database;
  private readonly stmt: ReturnType<SqliteMetaStore['prepare']>;

  /** Opens (creating and migrating) the database at `file`; ':memory:' for a throwaway one. */
  constructor(readonly file: string) {
    // Writers in other processes (the CLI, a second server on the same file) are waited for.
    this.db = guarded('open', () => new Database(file, { timeout: 5000 }));
    guarded('migrate', () => this.migrate());
    this.stmt = this.prepare();
  }

  /** The open connection, for feature stores with tables in meta.db (see feature-stores.ts). */
  get database(): Database.Database {
    return this.db;
  }

  private migrate(): void {
    migrateMetaDatabase(this.db);
  }

  private prepare() {
    const db = this.db;
    return {
      repoId: db.prepare<[string], { id: number }>('SELECT id FROM repositories WHERE name = ?'),
      addRepo: db.prepare<[string]>('INSERT INTO repositories (name) VALUES (?) ON CONFLICT (name) DO NOTHING'),
      link: db.prepare<[number, string, number, number]>('INSERT OR REPLACE INTO blob_links (repo_id, digest, size, linked_at) VALUES (?, ?, ?, ?)'),
      hasRef: db.prepare<[number, string, number, string], { one: number }>(
        'SELECT 1 AS one FROM blob_links WHERE repo_id = ? AND digest = ? UNION ALL SELECT 1 FROM manifests WHERE repo_id = ? AND digest = ? LIMIT 1',
      ),
      clearRefs: db.prepare<[number, string]>('DELETE FROM manifest_refs WHERE repo_id = ? AND manifest = ?'),
      addRef: db.prepare<[number, string, string]>('INSERT OR IGNORE INTO manifest_refs (repo_id, manifest, ref) VALUES (?, ?, ?)'),
      blobLink: db.prepare<[string, string], { size: number }>(
        'SELECT b.size FROM repositories r JOIN blob_links b ON b.repo_id = r.id WHERE r.name = ? AND b.digest = ?',
      ),
      unlinkById: db.prepare<[number, string]>('DELETE FROM blob_links WHERE repo_id = ? AND digest = ?'),
      // Index blob_links_by_digest holds (digest, repo_id): WITHOUT ROWID tables append the
      // primary key to each index entry, so this reads `limit` entries in order, no sort.
      linking: db.prepare<[string, number], { name: string }>(
        'SELECT r.name FROM blob_links b JOIN repositories r ON r.id = b.repo_id WHERE b.digest = ? ORDER BY b.repo_id LIMIT ?',
      ),
      unlink: db.prepare<[string, string]>('DELETE FROM blob_links WHERE repo_id = (SELECT id FROM repositories WHERE name = ?) AND digest = ?'),
      putManifest: db.prepare<[number, string, string, number, string | null, string | null, string | null, number, number]>(
        `INSERT INTO manifests (repo_id, digest, media_type, size, subject, artifact_type, annotations, pushed_at, refs_known)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (repo_id, digest) DO UPDATE SET media_type = excluded.media_type, size = excluded.size, subject = excluded.subject,
           artifact_type = excluded.artifact_type, annotations = excluded.annotations, pushed_at = excluded.pushed_at,
           refs_known = max(refs_known, excluded.refs_known)`,
      ),
      putTag: db.prepare<[number, string, string, number]>(
        `INSERT INTO tags (repo_id, name, digest, pushed_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (repo_id, name) DO UPDATE SET digest = excluded.digest, pushed_at = excluded.pushed_at,
           pulled_at = CASE WHEN tags.digest = excluded.digest THEN tags.pulled_at ELSE 0 END`,
      ),
      getManifest: db.prepare<[string, string], ManifestRow>(
        `SELECT ${manifestColumns} FROM repositories r JOIN manifests m ON m.repo_id = r.id WHERE r.name = ? AND m.digest = ?`,
      ),
      resolveTag: db.prepare<[string, string], ManifestRow>(
        `SELECT ${manifestColumns} FROM repositories r JOIN tags t ON t.repo_id = r.id
         JOIN manifests m ON m.repo_id = r.id AND m.digest = t.digest WHERE r.name = ? AND t.name = ?`,
      ),
      deleteManifest: db.prepare<[number, string]>('DELETE FROM manifests WHERE repo_id = ? AND digest = ?'),
      deleteRefsOf: db.prepare<[number, string]>('DELETE FROM manifest_refs WHERE repo_id = ? AND manifest = ?'),
      deleteTagsOf: db.prepare<[number, string]>('DELETE FROM tags WHERE repo_id = ? AND digest = ?'),
      deleteTag: db.prepare<[string, string]>('DELETE FROM tags WHERE repo_id = (SELECT id FROM repositories WHERE name = ?) AND name = ?'),
      tagDigest: db.prepare<[string, string], { digest: string }>('SELECT t.digest FROM repositories r JOIN tags t ON t.repo_id = r.id WHERE r.name = ? AND t.name = ?'),
      allTagsOf: db.prepare<[number, string], { name: string }>('SELECT name FROM tags WHERE repo_id = ? AND digest = ?'),
      listTags: db.prepare<[number, string, number], { name: string }>('SELECT name FROM tags WHERE repo_id = ? AND name > ? ORDER BY name LIMIT ?'),
      tagsOf: db.prepare<[string, string, string, number], { name: string }>(
        `SELECT t.name FROM repositories r JOIN tags t ON t.repo_id = r.id
         WHERE r.name = ? AND t.digest = ? AND t.name > ? ORDER BY t.name LIMIT ?`,
      ),
      listRepos: db.prepare<[string, number], { name: string }>('SELECT name FROM repositories WHERE name > ? ORDER BY name LIMIT ?'),
      referrers: db.prepare<[string, string, string, number], ManifestRow>(
        `SELECT ${manifestColumns} FROM repositories r JOIN manifests m ON m.repo_id = r.id
         WHERE r.name = ? AND m.subject = ? AND m.digest > ? ORDER BY m.digest LIMIT ?`,
      ),
      referrersOfType: db.prepare<[string, string, string, string, number], ManifestRow>(
        `SELECT ${manifestColumns} FROM repositories r JOIN manifests m ON m.repo_id = r.id
         WHERE r.name = ? AND m.subject = ? AND m.artifact_type = ? AND m.digest > ? ORDER BY m.digest LIMIT ?`,
      ),
      createUpload: db.prepare<[string, string, number, number]>('INSERT INTO uploads (id, repo, size, updated_at) VALUES (?, ?, ?, ?)'),
      getUpload: db.prepare<[string], UploadRow>('SELECT id, repo, size, updated_at FROM uploads WHERE id = ?'),
      setUploadSize: db.prepare<[number, number, string]>('UPDATE uploads SET size = ?, updated_at = ? WHERE id = ?'),
      deleteUpload: db.prepare<[string]>('DELETE FROM uploads WHERE id = ?'),
      staleUploads: db.prepare<[number, number], UploadRow>('SELECT id, repo, size, updated_at FROM uploads WHERE updated_at < ? ORDER BY updated_at LIMIT ?'),
      uploadIds: db.prepare<[], { id: string }>('SELECT id FROM uploads'),
    };
  }

  /**
   * Runs `fn` in a transaction whose commit is fsynced. BEGIN IMMEDIATE: the write lock is
   * taken first, so what `fn` reads (a tag guard's check) is still true when it commits, even
   * with another process writing the same file.
   */
  private durable<T>(fn: () => T): T {
    this.db.pragma('synchronous = FULL');
    try {
      return this.db.transaction(fn).immediate();
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
  }

  private ensureRepo(name: string): number {
    this.stmt.addRepo.run(name);
    return this.stmt.repoId.get(name)!.id;
  }

  async linkBlob(repo: string, digest: Digest, size: number): Promise<void> {
    guarded('link blob', () => this.durable(() => this.stmt.link.run(this.ensureRepo(repo), digest, size, Date.now())));
  }

  async blobLink(repo: string, digest: Digest): Promise<{ size: number } | undefined> {
    return guarded('read blob link', () => this.stmt.blobLink.get(repo, digest));
  }

  async repositoriesLinking(digest: Digest, limit: number): Promise<string[]> {
    return guarded('list repositories linking a blob', () => this.stmt.linking.all(digest, limit).map((r) => r.name));
  }

  async unlinkBlob(repo: string, digest: Digest): Promise<boolean> {
    return guarded('unlink blob', () => this.stmt.unlink.run(repo, digest).changes > 0);
  }

  async putManifest(r: ManifestRecord, tag?: string, refs?: readonly Digest[], guard?: TagGuard): Promise<void> {
    guarded('put manifest', () =>
      this.durable(() => {
        if (tag !== undefined && guard) guard.check(tag, this.stmt.tagDigest.get(r.repo, tag)?.digest as Digest | undefined, r.digest);
        const id = this.ensureRepo(r.repo);
        const now = Date.now();
        if (refs) this.recordRefs(id, r, refs);
        this.stmt.link.run(id, r.digest, r.size, now);
        const annotations = r.annotations ? JSON.stringify(r.annotations) : null;
        this.stmt.putManifest.run(id, r.digest, r.mediaType, r.size, r.subject ?? null, r.artifactType ?? null, annotations, now, refs ? 1 : 0);
        if (tag !== undefined) this.stmt.putTag.run(id, tag, r.digest, now);
      }),
    );
  }

  // Inside the put's transaction: GC removes links in transactions too, so a reference checked
  // here cannot vanish before the manifest that needs it commits.
  private recordRefs(id: number, r: ManifestRecord, refs: readonly Digest[]): void {
    for (const ref of refs) {
      if (!this.stmt.hasRef.get(id, ref, id, ref)) {
        throw new BosunError('REGISTRY_SERVE_MANIFEST_BLOB_UNKNOWN', `manifest references ${ref}, which "${r.repo}" does not hold`);
      }
    }
    this.stmt.clearRefs.run(id, r.digest);
    for (const ref of refs) this.stmt.addRef.run(id, r.digest, ref);
  }

  async getManifest(repo: string, digest: Digest): Promise<ManifestRecord | undefined> {
    const row = guarded('read manifest', () => this.stmt.getManifest.get(repo, digest));
    return row && toRecord(repo, row);
  }

  async resolveTag(repo: string, tag: string): Promise<ManifestRecord | undefined> {
    const row = guarded('resolve tag', () => this.stmt.resolveTag.get(repo, tag));
    return row && toRecord(repo, row);
  }

  async deleteManifest(repo: string, digest: Digest, guard?: TagGuard): Promise<boolean> {
    return guarded('delete manifest', () =>
      this.durable(() => {
        const id = this.stmt.repoId.get(repo)?.id;
        if (id === undefined) return false;
        if (guard) for (const { name } of this.stmt.allTagsOf.all(id, digest)) guard.check(name, digest, undefined);
        this.stmt.deleteTagsOf.run(id, digest);
        this.stmt.unlinkById.run(id, digest);
        this.stmt.deleteRefsOf.run(id, digest);
        return this.stmt.deleteManifest.run(id, digest).changes > 0;
      }),
    );
  }

  async deleteTag(repo: string, tag: string, guard?: TagGuard): Promise<boolean> {
    if (!guard) return guarded('delete tag', () => this.stmt.deleteTag.run(repo, tag).changes > 0);
    return guarded('delete tag', () =>
      this.db.transaction(() => {
        guard.check(tag, this.stmt.tagDigest.get(repo, tag)?.digest as Digest | undefined, undefined);
        return this.stmt.deleteTag.run(repo, tag).changes > 0;
      }).immediate(),
    );
  }

  async tagsOf(repo: string, digest: Digest, page: Page): Promise<string[]> {
    return guarded('list tags of a manifest', () => this.stmt.tagsOf.all(repo, digest, page.last ?? '', page.n).map((r) => r.name));
  }

  async listTags(repo: string, page: Page): Promise<string[] | undefined> {
    return guarded('list tags', () => {
      const id = this.stmt.repoId.get(repo)?.id;
      if (id === undefined) return undefined;
      return this.stmt.listTags.all(id, page.last ?? '', page.n).map((r) => r.name);
    });
  }

  async listRepositories(page: Page): Promise<string[]> {
    return guarded('list repositories', () => this.stmt.listRepos.all(page.last ?? '', page.n).map((r) => r.name));
  }

  async referrers(repo: string, subject: Digest, opts: { artifactType?: string; limit: number; after?: Digest }): Promise<Descriptor[]> {
    const after = opts.after ?? '';
    const rows = guarded('list referrers', () =>
      opts.artifactType === undefined
        ? this.stmt.referrers.all(repo, subject, after, opts.limit)
        : this.stmt.referrersOfType.all(repo, subject, opts.artifactType, after, opts.limit),
    );
    return rows.map((row) => referrerDescriptor(toRecord(repo, row)));
  }

  async createUpload(u: UploadRecord): Promise<void> {
    guarded('create upload', () => this.stmt.createUpload.run(u.id, u.repo, u.size, u.updatedAt));
  }

  async getUpload(id: string): Promise<UploadRecord | undefined> {
    const row = guarded('read upload', () => this.stmt.getUpload.get(id));
    return row && toUpload(row);
  }

  async setUploadSize(id: string, size: number, updatedAt: number): Promise<void> {
    guarded('update upload', () => this.stmt.setUploadSize.run(size, updatedAt, id));
  }

  async deleteUpload(id: string): Promise<void> {
    guarded('delete upload', () => this.stmt.deleteUpload.run(id));
  }

  async staleUploads(before: number, limit: number): Promise<UploadRecord[]> {
    return guarded('list stale uploads', () => this.stmt.staleUploads.all(before, limit).map(toUpload));
  }

  async listUploadIds(): Promise<string[]> {
    return guarded('list uploads', () => this.stmt.uploadIds.all().map((r) => r.id));
  }

  lifecycle(): LifecycleStore {
    return new SqliteLifecycleStore(this.db);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
