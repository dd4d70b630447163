import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { BosunError } from '../../errors.js';
import type { Digest } from '../../oci/digest.js';
import type { LifecycleStore, PullRecord, RemovedEntry, SweepOptions, SweepResult, TagTimes } from '../lifecycle/lifecycle-store.js';
import { markRepository, type ManifestNode } from '../lifecycle/mark.js';
import { checkout, lockSpaces, pgQuery, pgTransaction, Rollback, type Queryable } from './pg-tx.js';

interface NodeRow {
  digest: string;
  subject: string | null;
  size: string;
  pushed_at: string;
  refs_known: number;
  tagged: boolean;
}

// refs_known: 0 not recorded yet (pushed before refs were), 1 recorded, -1 bytes unreadable.
const refsUnreadable = -1;

/**
 * Holds older than this are ignored (and removed by the next run): a replica killed between
 * taking a hold and releasing it must not pin content for ever. Far longer than any request.
 */
const holdTtlMs = 24 * 3600 * 1000;

const referencedSql = `EXISTS (SELECT 1 FROM blob_links WHERE digest = d) OR EXISTS (SELECT 1 FROM manifests WHERE digest = d)
  OR EXISTS (SELECT 1 FROM manifest_refs WHERE ref = d)`;

/** The repository's id, its row locked FOR UPDATE: no write into it runs until the transaction ends. */
async function lockRepo(c: Queryable, repo: string): Promise<string | undefined> {
  const { rows } = await c.query<{ id: string }>('SELECT id FROM repositories WHERE name = $1 FOR UPDATE', [repo]);
  return rows[0]?.id;
}

async function sweepIn(c: Queryable, repo: string, opts: SweepOptions): Promise<SweepResult> {
  const out: SweepResult = { manifests: [], links: [] };
  const id = await lockRepo(c, repo);
  if (id === undefined) return out;
  const { rows } = await c.query<NodeRow>(
    `SELECT m.digest, m.subject, m.size, m.pushed_at, m.refs_known,
       EXISTS (SELECT 1 FROM tags t WHERE t.repo_id = m.repo_id AND t.digest = m.digest) AS tagged
     FROM manifests m WHERE m.repo_id = $1`,
    [id],
  );
  const refs = new Map<string, Digest[]>();
  for (const r of (await c.query<{ manifest: string; ref: string }>('SELECT manifest, ref FROM manifest_refs WHERE repo_id = $1', [id])).rows) {
    refs.set(r.manifest, [...(refs.get(r.manifest) ?? []), r.ref as Digest]);
  }
  const nodes: ManifestNode[] = rows.map((r) => ({
    digest: r.digest as Digest,
    ...(r.subject !== null ? { subject: r.subject as Digest } : {}),
    tagged: r.tagged,
    pushedAt: Number(r.pushed_at),
    refs: r.refs_known === 1 ? (refs.get(r.digest) ?? []) : undefined,
  }));
  const { live, marked, linksPinned } = markRepository(nodes, opts);
  const dead = rows.filter((r) => !live.has(r.digest as Digest));
  if (dead.length > 0) {
    const digests = dead.map((r) => r.digest);
    for (const table of ['tags', 'blob_links'] as const) await c.query(`DELETE FROM ${table} WHERE repo_id = $1 AND digest = ANY($2::text[])`, [id, digests]);
    await c.query('DELETE FROM manifest_refs WHERE repo_id = $1 AND manifest = ANY($2::text[])', [id, digests]);
    await c.query('DELETE FROM manifests WHERE repo_id = $1 AND digest = ANY($2::text[])', [id, digests]);
    out.manifests = dead.map((r) => ({ repo, digest: r.digest as Digest, size: Number(r.size) }));
  }
  if (!opts.sweepLinks || linksPinned) return out;
  const links = await c.query<{ digest: string; size: string }>('SELECT digest, size FROM blob_links WHERE repo_id = $1 AND linked_at < $2', [id, opts.cutoff]);
  const gone = links.rows.filter((l) => !marked.has(l.digest as Digest));
  if (gone.length > 0) await c.query('DELETE FROM blob_links WHERE repo_id = $1 AND digest = ANY($2::text[]) AND linked_at < $3', [id, gone.map((l) => l.digest), opts.cutoff]);
  out.links = gone.map((l) => ({ repo, digest: l.digest as Digest, size: Number(l.size) }));
  return out;
}

async function referencedIn(c: Queryable, digests: readonly Digest[]): Promise<Set<Digest>> {
  if (digests.length === 0) return new Set();
  const { rows } = await c.query<{ d: string }>(`SELECT d FROM unnest($1::text[]) AS d WHERE ${referencedSql}`, [[...digests]]);
  return new Set(rows.map((r) => r.d as Digest));
}

/**
 * LifecycleStore over the PostgreSQL metadata (the PostgresMetaStore's pool), for a fleet of
 * replicas. A sweep or retention pass of a repository is one transaction holding the
 * repository row FOR UPDATE, while every write into it holds the row FOR SHARE, so a manifest
 * put either commits before the sweep reads (and is marked) or runs after it (and finds a
 * swept link gone). GC and retention passes run one at a time across the fleet
 * (`runExclusive`, a session advisory lock); content deletion is coordinated with requests in
 * every replica through `content_holds` (`holdContent` / `sweepContent`).
 */
export class PostgresLifecycleStore implements LifecycleStore {
  constructor(private readonly pool: pg.Pool) {}

  private q<R extends pg.QueryResultRow>(what: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    return pgQuery<R>(this.pool, 'metadata', what, sql, params);
  }

  private tx<T>(what: string, dryRun: boolean, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return pgTransaction(this.pool, 'metadata', what, async (c) => {
      const out = await fn(c);
      if (dryRun) throw new Rollback(out);
      return out;
    });
  }

  async repositories(): Promise<string[]> {
    return (await this.q<{ name: string }>('list repositories', 'SELECT name FROM repositories ORDER BY name')).rows.map((r) => r.name);
  }

  async manifestsWithoutRefs(limit: number): Promise<Array<{ repo: string; digest: Digest }>> {
    const { rows } = await this.q<{ name: string; digest: string }>(
      'list manifests',
      'SELECT r.name, m.digest FROM manifests m JOIN repositories r ON r.id = m.repo_id WHERE m.refs_known = 0 LIMIT $1',
      [limit],
    );
    return rows.map((r) => ({ repo: r.name, digest: r.digest as Digest }));
  }

  async recordRefs(repo: string, digest: Digest, refs: readonly Digest[] | undefined): Promise<void> {
    await this.tx('record references', false, async (c) => {
      const { rows } = await c.query<{ id: string }>('SELECT id FROM repositories WHERE name = $1', [repo]);
      const id = rows[0]?.id;
      if (id === undefined) return;
      if (refs && refs.length > 0) {
        await c.query('INSERT INTO manifest_refs (repo_id, manifest, ref) SELECT $1, $2, unnest($3::text[]) ON CONFLICT DO NOTHING', [id, digest, [...refs]]);
      }
      await c.query('UPDATE manifests SET refs_known = $1 WHERE repo_id = $2 AND digest = $3', [refs ? 1 : refsUnreadable, id, digest]);
    });
  }

  sweepRepository(repo: string, opts: SweepOptions & { dryRun: boolean }): Promise<SweepResult> {
    return this.tx('sweep repository', opts.dryRun, (c) => sweepIn(c, repo, opts));
  }

  referencedAfterSweep(digests: readonly Digest[], opts: SweepOptions): Promise<Set<Digest>> {
    return this.tx('plan sweep', true, async (c) => {
      const repos = await c.query<{ name: string }>('SELECT name FROM repositories ORDER BY name');
      for (const { name } of repos.rows) await sweepIn(c, name, opts);
      return referencedIn(c, digests);
    });
  }

  async referencedNow(digests: readonly Digest[]): Promise<Set<Digest>> {
    try {
      return await referencedIn(this.pool, digests);
    } catch (err) {
      throw new BosunError('REGISTRY_SERVE_STORE_FAILED', 'metadata (postgres): check references failed', { cause: err });
    }
  }

  async isReferenced(digest: Digest): Promise<boolean> {
    return (await this.referencedNow([digest])).has(digest);
  }

  async tagTimes(repo: string): Promise<TagTimes[]> {
    const { rows } = await this.q<{ name: string; digest: string; pushed_at: string; pulled_at: string }>(
      'list tags',
      `SELECT t.name, t.digest, t.pushed_at, GREATEST(t.pulled_at, coalesce(m.pulled_at, 0)) AS pulled_at
       FROM repositories r JOIN tags t ON t.repo_id = r.id LEFT JOIN manifests m ON m.repo_id = t.repo_id AND m.digest = t.digest
       WHERE r.name = $1 ORDER BY t.name`,
      [repo],
    );
    return rows.map((r) => ({ tag: r.name, digest: r.digest as Digest, pushedAt: Number(r.pushed_at), pulledAt: Number(r.pulled_at) }));
  }

  retainRepository(repo: string, opts: { tags: readonly TagTimes[]; untaggedCutoff?: number; dryRun: boolean }): Promise<{ tags: RemovedEntry[]; manifests: RemovedEntry[] }> {
    return this.tx('apply retention', opts.dryRun, async (c) => {
      const out = { tags: [] as RemovedEntry[], manifests: [] as RemovedEntry[] };
      const id = await lockRepo(c, repo);
      if (id === undefined) return out;
      for (const t of opts.tags) {
        // Only while the tag still names the planned digest: a re-push since planning wins.
        const res = await c.query('DELETE FROM tags WHERE repo_id = $1 AND name = $2 AND digest = $3', [id, t.tag, t.digest]);
        if (!res.rowCount) continue;
        const size = await c.query<{ size: string }>('SELECT size FROM manifests WHERE repo_id = $1 AND digest = $2', [id, t.digest]);
        out.tags.push({ repo, digest: t.digest, tag: t.tag, size: Number(size.rows[0]?.size ?? 0) });
      }
      if (opts.untaggedCutoff !== undefined) {
        out.manifests = (await sweepIn(c, repo, { cutoff: opts.untaggedCutoff, deleteUntagged: true, sweepLinks: false })).manifests;
      }
      return out;
    });
  }

  async recordPulls(pulls: readonly PullRecord[]): Promise<void> {
    if (pulls.length === 0) return;
    // Two set-based statements, whatever the batch size (the recorder flushes up to 10 000).
    const batch = `SELECT r.id, x.digest, x.tag, max(x.at) AS at FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS x(repo, digest, tag, at)
      JOIN repositories r ON r.name = x.repo GROUP BY r.id, x.digest, x.tag`;
    const params = [pulls.map((p) => p.repo), pulls.map((p) => p.digest), pulls.map((p) => p.tag ?? null), pulls.map((p) => p.at)];
    await this.tx('record pulls', false, async (c) => {
      await c.query(
        `UPDATE manifests m SET pulled_at = GREATEST(m.pulled_at, p.at)
         FROM (SELECT id, digest, max(at) AS at FROM (${batch}) b GROUP BY id, digest) p WHERE m.repo_id = p.id AND m.digest = p.digest`,
        params,
      );
      await c.query(
        `UPDATE tags t SET pulled_at = GREATEST(t.pulled_at, p.at)
         FROM (${batch}) p WHERE p.tag IS NOT NULL AND t.repo_id = p.id AND t.name = p.tag AND t.digest = p.digest`,
        params,
      );
    });
  }

  // Replicas share the database: no process owns it. Exclusion is per run (runExclusive).
  async claimOwner(): Promise<void> {}
  async releaseOwner(): Promise<void> {}

  async runExclusive<T>(fn: () => Promise<T>): Promise<T> {
    let client: pg.PoolClient | undefined;
    let locked = false;
    try {
      client = await checkout(this.pool);
      // A session lock: held for the whole run, released by the server if this process dies.
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, 0) AS ok', [lockSpaces.lifecycle]);
      locked = rows[0]!.ok;
      if (locked) await client.query('DELETE FROM content_holds WHERE since < $1', [Date.now() - holdTtlMs]);
    } catch (err) {
      await this.unlock(client, locked);
      throw new BosunError('REGISTRY_SERVE_STORE_FAILED', 'metadata (postgres): taking the lifecycle lock failed', { cause: err });
    }
    if (!locked) {
      await this.unlock(client, false);
      throw new BosunError('REGISTRY_GC_BUSY', 'another replica, or a `bosun registry gc`/`retention` run, is collecting this registry now');
    }
    try {
      return await fn();
    } finally {
      await this.unlock(client, true);
    }
  }

  private async unlock(client: pg.PoolClient | undefined, locked: boolean): Promise<void> {
    if (!client) return;
    const ok = locked ? await client.query('SELECT pg_advisory_unlock($1, 0)', [lockSpaces.lifecycle]).then(() => true, () => false) : true;
    // A connection that could not unlock is discarded, which ends its session and the lock.
    client.release(!ok);
  }

  async holdContent(digest: Digest): Promise<() => Promise<void>> {
    const holder = randomUUID();
    await pgTransaction(this.pool, 'metadata', 'hold content', async (c) => {
      // Shared: holds never wait for each other, only for a sweep of the digest.
      await c.query('SELECT pg_advisory_xact_lock_shared($1, hashtext($2))', [lockSpaces.content, digest]);
      await c.query('INSERT INTO content_holds (holder, digest, since) VALUES ($1, $2, $3)', [holder, digest, Date.now()]);
    });
    return async () => {
      // A hold that cannot be released only keeps the content until it expires (holdTtlMs);
      // the request it protected has already committed, so it must not fail because of it.
      await this.pool.query('DELETE FROM content_holds WHERE holder = $1', [holder]).catch(() => undefined);
    };
  }

  async sweepContent(digest: Digest, fn: () => Promise<void>): Promise<boolean> {
    return pgTransaction(this.pool, 'metadata', 'sweep content', async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [lockSpaces.content, digest]);
      const held = await c.query('SELECT 1 FROM content_holds WHERE digest = $1 AND since >= $2 LIMIT 1', [digest, Date.now() - holdTtlMs]);
      if (held.rowCount) return false;
      await fn();
      return true;
    });
  }
}
