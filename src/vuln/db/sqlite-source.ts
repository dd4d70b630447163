/**
 * The production `AdvisorySource`: a read-only view of a published database file.
 */
import { existsSync } from 'node:fs';
import BetterSqlite3, { type Database, type Statement } from 'better-sqlite3';
import { BosunError } from '../../errors.js';
import type { Advisory, AdvisoryQuery, AdvisorySource } from '../advisory.js';
import { normalizeName, normalizeRelease } from './ecosystem.js';
import { assertSchema } from './schema.js';

/** Queries per lookup statement: bounds the JSON parameter and the rows held at once. */
const QUERIES_PER_STATEMENT = 2_000;

/**
 * Reads advisories from a database file written by build.ts.
 * - `forPackages` returns, for each query, the non-withdrawn records indexed under its ecosystem and
 *   name, for the query's release and for no release (a record without a release applies to
 *   every release); a query without a release sees only release-less records. Ecosystem names
 *   are OSV's base names; `name` and `release` are normalised here too (idempotent), so raw
 *   names work. Order: by advisory id. A record answering several queries of one call is one
 *   object: never mutate it.
 * - Records are decoded on every call, never cached: the matcher asks in small batches so that
 *   decoded records die young (match.ts, `PACKAGES_PER_LOOKUP`); a cache would keep them alive
 *   into the old generation, which cost more on bench/match than decoding them again.
 * - The file is opened read-only and never written, so an update may replace it at any time;
 *   this instance keeps reading the file it opened until `close()`.
 */
export class SqliteAdvisorySource implements AdvisorySource {
  private readonly lookup: Statement;
  private readonly bodies: Statement;

  private constructor(readonly db: Database, readonly file: string) {
    // A whole batch of queries per statement, passed as one JSON array: SQLite walks the affected
    // b-tree for each in C, where one statement per package cost a native round trip each (2.5×
    // slower on bench/match). Each query reads its release and release '' (records for every
    // release); DISTINCT returns a record indexed under both once.
    this.lookup = db
      .prepare(`SELECT DISTINCT q.key, a.advisory FROM json_each(?) q JOIN affected a
        ON a.ecosystem = q.value->>0 AND a.release IN (q.value->>1, '') AND a.name = q.value->>2 AND a.withdrawn = 0`)
      .raw();
    // then the bodies of the records found, also in one statement
    this.bodies = db.prepare('SELECT rowid, body FROM advisories WHERE rowid IN (SELECT value FROM json_each(?))').raw();
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

  forPackages(queries: readonly AdvisoryQuery[], signal?: AbortSignal): Promise<Advisory[][]> {
    try {
      return Promise.resolve(this.lookupAll(queries, signal));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** One query: `forPackages` for a single package. */
  async forPackage(query: AdvisoryQuery, signal?: AbortSignal): Promise<Advisory[]> {
    return (await this.forPackages([query], signal))[0]!;
  }

  /** `forPackages` without the promise. */
  lookupAll(queries: readonly AdvisoryQuery[], signal?: AbortSignal): Advisory[][] {
    const out: Advisory[][] = [];
    for (let start = 0; start < queries.length; start += QUERIES_PER_STATEMENT) {
      if (signal?.aborted) throw new BosunError('ABORTED', 'advisory lookup cancelled', { cause: signal.reason });
      try {
        out.push(...this.lookupChunk(queries.slice(start, start + QUERIES_PER_STATEMENT)));
      } catch (err) {
        if (err instanceof BosunError) throw err;
        throw new BosunError('VULN_DB_CORRUPT', `reading vulnerability database "${this.file}" failed`, { cause: err });
      }
    }
    return out;
  }

  private lookupChunk(queries: readonly AdvisoryQuery[]): Advisory[][] {
    const keys = queries.map((q) => [q.ecosystem, normalizeRelease(q.ecosystem, q.release), normalizeName(q.ecosystem, q.name)]);
    const rows = this.lookup.all(JSON.stringify(keys)) as Array<[number, number]>;
    const decoded = new Map<number, Advisory>();
    if (rows.length > 0) {
      const rowids = JSON.stringify([...new Set(rows.map((r) => r[1]))]);
      for (const [rowid, body] of this.bodies.all(rowids) as Array<[number, string]>) decoded.set(rowid, JSON.parse(body) as Advisory);
    }
    const out: Advisory[][] = queries.map(() => []);
    for (const [key, rowid] of rows) {
      const advisory = decoded.get(rowid);
      if (!advisory) throw new BosunError('VULN_DB_CORRUPT', `vulnerability database "${this.file}" indexes record ${rowid}, which it does not hold`);
      out[key]!.push(advisory);
    }
    for (const list of out) if (list.length > 1) list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return out;
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
    const body = this.db.prepare('SELECT body FROM advisories WHERE id = ?').pluck().get(id) as string | undefined;
    return body === undefined ? undefined : (JSON.parse(body) as Advisory);
  }

  close(): void {
    this.db.close();
  }
}
