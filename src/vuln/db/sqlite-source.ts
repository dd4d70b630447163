/**
 * The production `AdvisorySource`: a read-only view of a published database file.
 */
import { existsSync } from 'node:fs';
import BetterSqlite3, { type Database, type Statement } from 'better-sqlite3';
import { BosunError } from '../../errors.js';
import type { Advisory, AdvisorySource } from '../advisory.js';
import { normalizeName, normalizeRelease } from './ecosystem.js';
import { assertSchema } from './schema.js';

/** Decoded records kept in memory; past this the cache starts over (records are immutable). */
const CACHE_ENTRIES = 50_000;

/**
 * Reads advisories from a database file written by build.ts.
 * - `forPackage` returns the non-withdrawn records indexed under the query's ecosystem and
 *   name, for the query's release and for no release (a record without a release applies to
 *   every release); a query without a release sees only release-less records. Ecosystem names
 *   are OSV's base names; `name` and `release` are normalised here too (idempotent), so raw
 *   names work. Order: by advisory id.
 * - Returned advisories are shared between calls (a decoded-row cache): never mutate them.
 *   They are not frozen because deep-freezing cost more than decoding.
 * - The file is opened read-only and never written, so an update may replace it at any time;
 *   this instance keeps reading the file it opened until `close()`.
 */
export class SqliteAdvisorySource implements AdvisorySource {
  private readonly lookup: Statement;
  private readonly body: Statement;
  private readonly cache = new Map<number, Advisory>();

  private constructor(readonly db: Database, readonly file: string) {
    // two steps so cached records cost no body copy: rowids from the affected b-tree alone, then
    // bodies of the records not decoded yet
    // one release per statement: `release IN (?, '')` with DISTINCT was five times slower (a temp b-tree)
    this.lookup = db.prepare('SELECT advisory FROM affected WHERE ecosystem = ? AND release = ? AND name = ? AND withdrawn = 0').pluck();
    this.body = db.prepare('SELECT body FROM advisories WHERE rowid = ?').pluck();
  }

  /**
   * Opens `file` read-only. Throws `VULN_DB_MISSING` when it does not exist, `VULN_DB_CORRUPT`
   * when it is not a SQLite database, `VULN_DB_SCHEMA` for another schema version.
   */
  static open(file: string): SqliteAdvisorySource {
    if (!existsSync(file)) throw new BosunError('VULN_DB_MISSING', `no vulnerability database at "${file}"`);
    let db: Database;
    try {
      db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
    } catch (err) {
      throw new BosunError('VULN_DB_CORRUPT', `cannot open vulnerability database "${file}"`, { cause: err });
    }
    try {
      db.pragma('query_only = ON');
      // lookups hit pages all over the file: map it rather than pay a read() per page, and keep
      // a larger page cache than SQLite's 2 MB default
      db.pragma('mmap_size = 1073741824');
      db.pragma('cache_size = -65536');
      assertSchema(db, file);
      return new SqliteAdvisorySource(db, file);
    } catch (err) {
      db.close();
      if (err instanceof BosunError) throw err;
      throw new BosunError('VULN_DB_CORRUPT', `vulnerability database "${file}" is not readable`, { cause: err });
    }
  }

  forPackage(query: { ecosystem: string; release?: string; name: string }, signal?: AbortSignal): Promise<Advisory[]> {
    if (signal?.aborted) return Promise.reject(new BosunError('ABORTED', 'advisory lookup cancelled', { cause: signal.reason }));
    try {
      return Promise.resolve(this.lookupSync(query));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** `forPackage` without the promise, for callers that batch many lookups. */
  lookupSync(query: { ecosystem: string; release?: string; name: string }): Advisory[] {
    const { ecosystem } = query;
    try {
      const name = normalizeName(ecosystem, query.name);
      const release = normalizeRelease(ecosystem, query.release);
      let rowids = this.lookup.all(ecosystem, '', name) as number[];
      if (release !== '') rowids = [...new Set([...(this.lookup.all(ecosystem, release, name) as number[]), ...rowids])];
      const out = rowids.map((r) => this.cache.get(r) ?? this.decode(r, this.body.get(r) as string));
      return out.length > 1 ? out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) : out;
    } catch (err) {
      if (err instanceof BosunError) throw err;
      throw new BosunError('VULN_DB_CORRUPT', `reading vulnerability database "${this.file}" failed`, { cause: err });
    }
  }

  /**
   * Every id in the alias group of `id` (an advisory id or an alias such as a CVE), sorted:
   * the advisories' own ids plus their aliases and related ids. Empty when `id` is unknown.
   */
  aliasGroup(id: string): string[] {
    const group = this.db
      .prepare('SELECT group_id FROM advisories WHERE id = ? UNION ALL SELECT a.group_id FROM links l JOIN advisories a ON a.rowid = l.advisory WHERE l.target = ? LIMIT 1')
      .pluck()
      .get(id, id) as string | undefined;
    if (group === undefined) return [];
    const ids = this.db
      .prepare('SELECT id FROM advisories WHERE group_id = ? UNION SELECT l.target FROM links l JOIN advisories a ON a.rowid = l.advisory WHERE a.group_id = ?')
      .pluck()
      .all(group, group) as string[];
    return ids.sort();
  }

  /** The stored record `id`, withdrawn or not, or undefined. */
  get(id: string): Advisory | undefined {
    const row = this.db.prepare('SELECT rowid, body FROM advisories WHERE id = ?').raw().get(id) as [number, string] | undefined;
    return row ? this.decode(row[0], row[1]) : undefined;
  }

  close(): void {
    this.cache.clear();
    this.db.close();
  }

  private decode(rowid: number, body: string): Advisory {
    let a = this.cache.get(rowid);
    if (a) return a;
    a = JSON.parse(body) as Advisory;
    if (this.cache.size >= CACHE_ENTRIES) this.cache.clear();
    this.cache.set(rowid, a);
    return a;
  }
}
