/**
 * Writes advisories into a database being built (never the live file; see build.ts).
 * Prepared statements are made once; each `insertBatch` is one transaction.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { Advisory } from '../advisory.js';
import { normalizeName, splitEcosystem } from './ecosystem.js';
import { computeAliasGroups } from './alias-groups.js';

/** What the database remembers about one source, for conditional requests and status. */
export interface SourceRecord {
  name: string;
  url?: string;
  etag?: string;
  lastModified?: string;
  sha256?: string;
  /** Distinct advisories the source holds (withdrawn ones included). */
  records: number;
  /** Records of the source that failed validation and were left out. */
  rejected: number;
  /** When the source's data was last fetched or confirmed unchanged (RFC 3339). */
  fetchedAt: string;
}

interface SourceRow {
  name: string;
  url: string | null;
  etag: string | null;
  last_modified: string | null;
  sha256: string | null;
  records: number;
  rejected: number;
  fetched_at: string;
}

/** The write side of the database: one instance per build. */
export class AdvisoryWriter {
  private readonly stmt: Record<'find' | 'held' | 'insert' | 'update' | 'link' | 'index' | 'alias' | 'dropIndex' | 'dropLinks', Statement>;

  constructor(readonly db: Database) {
    this.stmt = {
      find: db.prepare('SELECT rowid, modified FROM advisories WHERE id = ?'),
      held: db.prepare('SELECT 1 FROM advisory_sources WHERE advisory = ? LIMIT 1'),
      insert: db.prepare('INSERT INTO advisories (id, modified, withdrawn, body) VALUES (?, ?, ?, ?)'),
      update: db.prepare('UPDATE advisories SET modified = ?, withdrawn = ?, body = ? WHERE rowid = ?'),
      link: db.prepare('INSERT OR IGNORE INTO advisory_sources (source, advisory) VALUES (?, ?)'),
      index: db.prepare('INSERT OR IGNORE INTO affected (ecosystem, release, name, advisory, withdrawn) VALUES (?, ?, ?, ?, ?)'),
      alias: db.prepare('INSERT OR IGNORE INTO links (target, advisory, kind) VALUES (?, ?, ?)'),
      dropIndex: db.prepare('DELETE FROM affected WHERE advisory = ?'),
      dropLinks: db.prepare('DELETE FROM links WHERE advisory = ?'),
    };
  }

  /** The stored state of every source, by name. */
  sources(): Map<string, SourceRecord> {
    return new Map(readSources(this.db).map((s) => [s.name, s]));
  }

  /** Forgets which records `source` held, before it is imported again (orphans go at finish). */
  clearSource(source: string): void {
    this.db.prepare('DELETE FROM advisory_sources WHERE source = ?').run(source);
  }

  /** Removes a source and its metadata; its records go at finish unless another source holds them. */
  dropSource(source: string): void {
    this.clearSource(source);
    this.db.prepare('DELETE FROM sources WHERE name = ?').run(source);
  }

  /**
   * Stores a batch of records for `source` in one transaction. When two sources hold the same
   * id, the record with the later `modified` wins (the first seen on a tie).
   */
  insertBatch(source: string, batch: readonly Advisory[]): void {
    this.db.transaction(() => {
      for (const a of batch) this.put(source, a);
    })();
  }

  private put(source: string, a: Advisory): void {
    const found = this.stmt.find.get(a.id) as { rowid: number; modified: string } | undefined;
    let rowid: number;
    if (!found) {
      rowid = Number(this.stmt.insert.run(a.id, a.modified, a.withdrawn ?? null, JSON.stringify(a)).lastInsertRowid);
    } else {
      rowid = found.rowid;
      const isNewer = a.modified > found.modified;
      const isHeldElsewhere = this.stmt.held.get(rowid) !== undefined;
      if (isHeldElsewhere && !isNewer) {
        this.stmt.link.run(source, rowid);
        return;
      }
      this.stmt.update.run(a.modified, a.withdrawn ?? null, JSON.stringify(a), rowid);
      this.stmt.dropIndex.run(rowid);
      this.stmt.dropLinks.run(rowid);
    }
    this.stmt.link.run(source, rowid);
    for (const x of a.affected) {
      const { ecosystem, release } = splitEcosystem(x.ecosystem);
      this.stmt.index.run(ecosystem, release, normalizeName(ecosystem, x.name), rowid, a.withdrawn === undefined ? 0 : 1);
    }
    for (const t of a.aliases) this.stmt.alias.run(t, rowid, 'alias');
    for (const t of a.related) this.stmt.alias.run(t, rowid, 'related');
  }

  /** Records (or replaces) a source's metadata. */
  setSource(s: SourceRecord): void {
    this.db
      .prepare('INSERT OR REPLACE INTO sources (name, url, etag, last_modified, sha256, records, rejected, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(s.name, s.url ?? null, s.etag ?? null, s.lastModified ?? null, s.sha256 ?? null, s.records, s.rejected, s.fetchedAt);
  }

  /** Distinct records linked to `source`. */
  countSource(source: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM advisory_sources WHERE source = ?').get(source) as { n: number }).n;
  }

  /**
   * Ends a build: deletes records no source holds, recomputes alias groups, and stamps
   * `built_at` (when `isChanged`) and `checked_at` with `now`.
   */
  finish(now: Date, isChanged: boolean): void {
    this.db.transaction(() => {
      const orphans = 'SELECT rowid FROM advisories WHERE rowid NOT IN (SELECT advisory FROM advisory_sources)';
      this.db.exec(`DELETE FROM affected WHERE advisory IN (${orphans}); DELETE FROM links WHERE advisory IN (${orphans});`);
      this.db.exec(`DELETE FROM advisories WHERE rowid IN (${orphans})`);
      computeAliasGroups(this.db);
      const stamp = this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
      if (isChanged) stamp.run('built_at', now.toISOString());
      stamp.run('checked_at', now.toISOString());
    })();
  }
}

/** Every source recorded in `db`, by name. */
export function readSources(db: Database): SourceRecord[] {
  return (db.prepare('SELECT * FROM sources ORDER BY name').all() as SourceRow[]).map(fromRow);
}

function fromRow(r: SourceRow): SourceRecord {
  const s: SourceRecord = { name: r.name, records: r.records, rejected: r.rejected, fetchedAt: r.fetched_at };
  if (r.url !== null) s.url = r.url;
  if (r.etag !== null) s.etag = r.etag;
  if (r.last_modified !== null) s.lastModified = r.last_modified;
  if (r.sha256 !== null) s.sha256 = r.sha256;
  return s;
}
