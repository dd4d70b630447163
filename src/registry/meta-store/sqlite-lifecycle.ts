import type Database from 'better-sqlite3';
import { BosunError } from '../../errors.js';
import type { Digest } from '../../oci/digest.js';
import type { LifecycleStore, PullRecord, RemovedEntry, SweepOptions, SweepResult, TagTimes } from '../lifecycle/lifecycle-store.js';
import { markRepository, type ManifestNode } from '../lifecycle/mark.js';

interface NodeRow {
  digest: string;
  subject: string | null;
  size: number;
  pushed_at: number;
  refs_known: number;
  tagged: number;
}

// refs_known: 0 not recorded yet (pushed before refs were), 1 recorded, -1 bytes unreadable.
const refsUnreadable = -1;

/** Thrown inside a transaction to roll a dry run back. */
const rollback = Symbol('rollback');

function guarded<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof BosunError) throw err;
    throw new BosunError('REGISTRY_SERVE_STORE_FAILED', `metadata: ${what} failed`, { cause: err });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function prepare(db: Database.Database) {
  return {
    repoId: db.prepare<[string], { id: number }>('SELECT id FROM repositories WHERE name = ?'),
    repos: db.prepare<[], { name: string }>('SELECT name FROM repositories ORDER BY name'),
    withoutRefs: db.prepare<[number], { name: string; digest: string }>(
      'SELECT r.name, m.digest FROM manifests m JOIN repositories r ON r.id = m.repo_id WHERE m.refs_known = 0 LIMIT ?',
    ),
    addRef: db.prepare<[number, string, string]>('INSERT OR IGNORE INTO manifest_refs (repo_id, manifest, ref) VALUES (?, ?, ?)'),
    setRefsKnown: db.prepare<[number, number, string]>('UPDATE manifests SET refs_known = ? WHERE repo_id = ? AND digest = ?'),
    nodes: db.prepare<[number], NodeRow>(
      `SELECT m.digest, m.subject, m.size, m.pushed_at, m.refs_known,
         EXISTS (SELECT 1 FROM tags t WHERE t.repo_id = m.repo_id AND t.digest = m.digest) AS tagged
       FROM manifests m WHERE m.repo_id = ?`,
    ),
    refsOfRepo: db.prepare<[number], { manifest: string; ref: string }>('SELECT manifest, ref FROM manifest_refs WHERE repo_id = ?'),
    links: db.prepare<[number], { digest: string; size: number; linked_at: number }>('SELECT digest, size, linked_at FROM blob_links WHERE repo_id = ?'),
    unlink: db.prepare<[number, string]>('DELETE FROM blob_links WHERE repo_id = ? AND digest = ?'),
    deleteTagsOf: db.prepare<[number, string]>('DELETE FROM tags WHERE repo_id = ? AND digest = ?'),
    deleteRefsOf: db.prepare<[number, string]>('DELETE FROM manifest_refs WHERE repo_id = ? AND manifest = ?'),
    deleteManifest: db.prepare<[number, string]>('DELETE FROM manifests WHERE repo_id = ? AND digest = ?'),
    referenced: db.prepare<[string, string, string], { one: number }>(
      `SELECT 1 AS one FROM blob_links WHERE digest = ? UNION ALL SELECT 1 FROM manifests WHERE digest = ?
       UNION ALL SELECT 1 FROM manifest_refs WHERE ref = ? LIMIT 1`,
    ),
    tagTimes: db.prepare<[number], { name: string; digest: string; pushed_at: number; pulled_at: number }>(
      `SELECT t.name, t.digest, t.pushed_at, max(t.pulled_at, coalesce(m.pulled_at, 0)) AS pulled_at
       FROM tags t LEFT JOIN manifests m ON m.repo_id = t.repo_id AND m.digest = t.digest WHERE t.repo_id = ? ORDER BY t.name`,
    ),
    deleteTag: db.prepare<[number, string, string]>('DELETE FROM tags WHERE repo_id = ? AND name = ? AND digest = ?'),
    manifestSize: db.prepare<[number, string], { size: number }>('SELECT size FROM manifests WHERE repo_id = ? AND digest = ?'),
    pullManifest: db.prepare<[number, string, string]>(
      'UPDATE manifests SET pulled_at = max(pulled_at, ?) WHERE repo_id = (SELECT id FROM repositories WHERE name = ?) AND digest = ?',
    ),
    pullTag: db.prepare<[number, string, string, string]>(
      'UPDATE tags SET pulled_at = max(pulled_at, ?) WHERE repo_id = (SELECT id FROM repositories WHERE name = ?) AND name = ? AND digest = ?',
    ),
    owner: db.prepare<[], { pid: number; role: string }>('SELECT pid, role FROM data_owner WHERE id = 1'),
    setOwner: db.prepare<[number, string, number]>('INSERT OR REPLACE INTO data_owner (id, pid, role, since) VALUES (1, ?, ?, ?)'),
    releaseOwner: db.prepare<[number]>('DELETE FROM data_owner WHERE id = 1 AND pid = ?'),
  };
}

/**
 * LifecycleStore over the registry's SQLite database (the connection SqliteMetaStore owns).
 * Every method body is synchronous, so a transaction never interleaves with a request
 * handler of the same process; other processes wait on SQLite's write lock.
 */
export class SqliteLifecycleStore implements LifecycleStore {
  private readonly stmt: ReturnType<typeof prepare>;

  constructor(private readonly db: Database.Database) {
    this.stmt = prepare(db);
  }

  /** Runs `fn` in a transaction: fsynced on commit, or rolled back when `dryRun`. */
  private tx<T>(dryRun: boolean, fn: () => T): T {
    let out: T | undefined;
    this.db.pragma('synchronous = FULL');
    try {
      this.db.transaction(() => {
        out = fn();
        if (dryRun) throw rollback;
      })();
    } catch (err) {
      if (err !== rollback) throw err;
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
    return out as T;
  }

  async repositories(): Promise<string[]> {
    return guarded('list repositories', () => this.stmt.repos.all().map((r) => r.name));
  }

  async manifestsWithoutRefs(limit: number): Promise<Array<{ repo: string; digest: Digest }>> {
    return guarded('list manifests', () => this.stmt.withoutRefs.all(limit).map((r) => ({ repo: r.name, digest: r.digest as Digest })));
  }

  async recordRefs(repo: string, digest: Digest, refs: readonly Digest[] | undefined): Promise<void> {
    guarded('record references', () =>
      this.tx(false, () => {
        const id = this.stmt.repoId.get(repo)?.id;
        if (id === undefined) return;
        for (const ref of refs ?? []) this.stmt.addRef.run(id, digest, ref);
        this.stmt.setRefsKnown.run(refs ? 1 : refsUnreadable, id, digest);
      }),
    );
  }

  private sweepSync(repo: string, opts: SweepOptions): SweepResult {
    const out: SweepResult = { manifests: [], links: [] };
    const id = this.stmt.repoId.get(repo)?.id;
    if (id === undefined) return out;
    const rows = this.stmt.nodes.all(id);
    const refs = new Map<string, Digest[]>();
    for (const r of this.stmt.refsOfRepo.all(id)) {
      const list = refs.get(r.manifest) ?? [];
      list.push(r.ref as Digest);
      refs.set(r.manifest, list);
    }
    const nodes: ManifestNode[] = rows.map((r) => ({
      digest: r.digest as Digest,
      ...(r.subject !== null ? { subject: r.subject as Digest } : {}),
      tagged: r.tagged === 1,
      pushedAt: r.pushed_at,
      refs: r.refs_known === 1 ? (refs.get(r.digest) ?? []) : undefined,
    }));
    const { live, marked, linksPinned } = markRepository(nodes, opts);
    for (const r of rows) {
      if (live.has(r.digest as Digest)) continue;
      this.stmt.deleteTagsOf.run(id, r.digest);
      this.stmt.unlink.run(id, r.digest);
      this.stmt.deleteRefsOf.run(id, r.digest);
      this.stmt.deleteManifest.run(id, r.digest);
      out.manifests.push({ repo, digest: r.digest as Digest, size: r.size });
    }
    if (!opts.sweepLinks || linksPinned) return out;
    for (const l of this.stmt.links.all(id)) {
      if (marked.has(l.digest as Digest) || l.linked_at >= opts.cutoff) continue;
      this.stmt.unlink.run(id, l.digest);
      out.links.push({ repo, digest: l.digest as Digest, size: l.size });
    }
    return out;
  }

  async sweepRepository(repo: string, opts: SweepOptions & { dryRun: boolean }): Promise<SweepResult> {
    return guarded('sweep repository', () => this.tx(opts.dryRun, () => this.sweepSync(repo, opts)));
  }

  async referencedAfterSweep(digests: readonly Digest[], opts: SweepOptions): Promise<Set<Digest>> {
    return guarded('plan sweep', () =>
      this.tx(true, () => {
        for (const { name } of this.stmt.repos.all()) this.sweepSync(name, opts);
        return this.referencedSync(digests);
      }),
    );
  }

  private referencedSync(digests: readonly Digest[]): Set<Digest> {
    return new Set(digests.filter((d) => this.stmt.referenced.get(d, d, d) !== undefined));
  }

  async referencedNow(digests: readonly Digest[]): Promise<Set<Digest>> {
    return guarded('check references', () => this.referencedSync(digests));
  }

  async isReferenced(digest: Digest): Promise<boolean> {
    return guarded('check references', () => this.stmt.referenced.get(digest, digest, digest) !== undefined);
  }

  async tagTimes(repo: string): Promise<TagTimes[]> {
    return guarded('list tags', () => {
      const id = this.stmt.repoId.get(repo)?.id;
      if (id === undefined) return [];
      return this.stmt.tagTimes.all(id).map((r) => ({ tag: r.name, digest: r.digest as Digest, pushedAt: r.pushed_at, pulledAt: r.pulled_at }));
    });
  }

  async retainRepository(
    repo: string,
    opts: { tags: readonly TagTimes[]; untaggedCutoff?: number; dryRun: boolean },
  ): Promise<{ tags: RemovedEntry[]; manifests: RemovedEntry[] }> {
    return guarded('apply retention', () =>
      this.tx(opts.dryRun, () => {
        const out = { tags: [] as RemovedEntry[], manifests: [] as RemovedEntry[] };
        const id = this.stmt.repoId.get(repo)?.id;
        if (id === undefined) return out;
        for (const t of opts.tags) {
          // Only while the tag still names the planned digest: a re-push since planning wins.
          if (this.stmt.deleteTag.run(id, t.tag, t.digest).changes === 0) continue;
          out.tags.push({ repo, digest: t.digest, tag: t.tag, size: this.stmt.manifestSize.get(id, t.digest)?.size ?? 0 });
        }
        if (opts.untaggedCutoff !== undefined) {
          out.manifests = this.sweepSync(repo, { cutoff: opts.untaggedCutoff, deleteUntagged: true, sweepLinks: false }).manifests;
        }
        return out;
      }),
    );
  }

  async recordPulls(pulls: readonly PullRecord[]): Promise<void> {
    guarded('record pulls', () =>
      this.db.transaction(() => {
        for (const p of pulls) {
          this.stmt.pullManifest.run(p.at, p.repo, p.digest);
          if (p.tag !== undefined) this.stmt.pullTag.run(p.at, p.repo, p.tag, p.digest);
        }
      })(),
    );
  }

  async claimOwner(role: string): Promise<void> {
    guarded('claim data directory', () =>
      this.db.transaction(() => {
        const owner = this.stmt.owner.get();
        if (owner && owner.pid !== process.pid && isAlive(owner.pid)) {
          throw new BosunError('REGISTRY_GC_BUSY', `the data directory is in use by a ${owner.role} process (pid ${owner.pid})`);
        }
        this.stmt.setOwner.run(process.pid, role, Date.now());
      })(),
    );
  }

  async releaseOwner(): Promise<void> {
    guarded('release data directory', () => this.stmt.releaseOwner.run(process.pid));
  }
}
