/**
 * Builds a new database file beside the live one and swaps it in atomically.
 *
 * ```
 * <db-dir>/
 *   vuln.db                         the live database (rollback-journal mode, read-only to scans)
 *   vuln.db.tmp-<pid>-<hex>         a build in progress (WAL while building)
 *   <Ecosystem>.zip.tmp-<pid>-<hex> an archive being downloaded
 * ```
 *
 * A build starts from a copy of the live file (so sources that did not change keep their data),
 * runs migrations, lets the caller import, verifies the result (`integrity_check`, per-source
 * counts), switches it out of WAL, fsyncs it and renames it over `vuln.db`. Readers that opened
 * the old file keep reading it; new readers see the new one; a failed or killed build leaves the
 * live file untouched. The live file is never in WAL mode: a `-wal` file left beside it would
 * belong to another inode after a rename, and readers never write anyway.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { BosunError } from '../../errors.js';
import { defaultCacheDir } from '../../oci/blob-cache.js';
import { migrate } from './schema.js';
import { AdvisoryWriter, type SourceRecord } from './writer.js';

/** The live database's file name inside the db directory. */
export const DB_FILE = 'vuln.db';

/** `$BOSUN_DB_DIR`, else `<cache dir>/db` (`$XDG_CACHE_HOME/bosun/db`, `~/.cache/bosun/db`). */
export function defaultDbDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.BOSUN_DB_DIR || join(defaultCacheDir(env), 'db');
}

/** What a build callback works with. */
export interface BuildContext {
  writer: AdvisoryWriter;
  /** Sources the build started with (empty when it started from scratch). */
  previous: Map<string, SourceRecord>;
  /** A temp path in the db directory for the caller's own scratch files (removed on failure). */
  tempPath(base: string): string;
  signal?: AbortSignal;
}

export interface BuildOptions {
  signal?: AbortSignal;
  now?: () => Date;
  /** Start from an empty database instead of a copy of the live one. */
  fresh?: boolean;
}

/**
 * Runs `fn` against a new database and publishes it as `<dir>/vuln.db` when `fn` returns
 * `isChanged` true or false (false still refreshes `checked_at`). Throws what `fn` throws, or
 * `VULN_DB_INTEGRITY` when the result fails verification; either way the live file is unchanged.
 */
export async function buildDatabase<T>(dir: string, fn: (ctx: BuildContext) => Promise<{ result: T; isChanged: boolean }>, opts: BuildOptions = {}): Promise<T> {
  await mkdir(dir, { recursive: true });
  await removeStaleTemps(dir);
  const live = join(dir, DB_FILE);
  const tmp = tempName(dir, DB_FILE);
  const scratch: string[] = [tmp, `${tmp}-wal`, `${tmp}-shm`, `${tmp}-journal`];
  let db: Database | undefined;
  try {
    db = await openBuild(live, tmp, opts.fresh ?? false);
    const writer = new AdvisoryWriter(db);
    const tempPath = (base: string) => {
      const p = tempName(dir, base);
      scratch.push(p);
      return p;
    };
    const { result, isChanged } = await fn({ writer, previous: writer.sources(), tempPath, ...(opts.signal ? { signal: opts.signal } : {}) });
    writer.finish((opts.now ?? (() => new Date()))(), isChanged);
    compact(db);
    verify(db, tmp);
    db.pragma('journal_mode = DELETE');
    db.close();
    db = undefined;
    if (opts.signal?.aborted) throw new BosunError('ABORTED', 'database update cancelled', { cause: opts.signal.reason });
    await publish(tmp, live, dir);
    return result;
  } finally {
    db?.close();
    await Promise.all(scratch.map((p) => rm(p, { force: true })));
  }
}

/** Opens the build file: a copy of the live database when it is usable, else a new one. */
async function openBuild(live: string, tmp: string, fresh: boolean): Promise<Database> {
  if (!fresh && (await exists(live))) {
    await copyFile(live, tmp);
    const copy = tryOpenCopy(tmp);
    if (copy) return copy;
    await rm(tmp, { force: true });
  }
  const db = new BetterSqlite3(tmp);
  tune(db);
  migrate(db);
  return db;
}

/** The copy, migrated, or undefined when it is corrupt or from a newer bosun (start over). */
function tryOpenCopy(tmp: string): Database | undefined {
  let db: Database | undefined;
  try {
    db = new BetterSqlite3(tmp);
    if (db.pragma('quick_check', { simple: true }) !== 'ok') throw new Error('quick_check failed');
    tune(db);
    migrate(db);
    return db;
  } catch {
    db?.close();
    return undefined;
  }
}

function tune(db: Database): void {
  db.pragma('journal_mode = WAL');
  // durability comes from the fsync before the rename, not from each commit of a temp file
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -65536');
  db.pragma('temp_store = MEMORY');
}

/** Reclaims space left by replaced sources once it is a quarter of the file. */
function compact(db: Database): void {
  const free = db.pragma('freelist_count', { simple: true }) as number;
  const pages = db.pragma('page_count', { simple: true }) as number;
  if (free * 4 > pages) db.exec('VACUUM');
}

/** Throws `VULN_DB_INTEGRITY` unless the built file is sound and its counts agree. */
function verify(db: Database, file: string): void {
  const check = db.pragma('integrity_check', { simple: true });
  if (check !== 'ok') throw new BosunError('VULN_DB_INTEGRITY', `built database "${file}" fails integrity_check: ${String(check)}`);
  const bad = db
    .prepare('SELECT s.name, s.records, (SELECT COUNT(*) FROM advisory_sources x WHERE x.source = s.name) AS held FROM sources s WHERE s.records != held')
    .all() as Array<{ name: string; records: number; held: number }>;
  if (bad.length > 0) {
    const b = bad[0]!;
    throw new BosunError('VULN_DB_INTEGRITY', `built database "${file}": source "${b.name}" should hold ${b.records} records, holds ${b.held}`);
  }
  const orphans = db.prepare('SELECT COUNT(*) FROM advisories WHERE rowid NOT IN (SELECT advisory FROM advisory_sources)').pluck().get() as number;
  if (orphans > 0) throw new BosunError('VULN_DB_INTEGRITY', `built database "${file}" holds ${orphans} records of no source`);
}

/** fsync the file, rename it over the live one, fsync the directory. */
async function publish(tmp: string, live: string, dir: string): Promise<void> {
  await fsyncPath(tmp, 'r+');
  await rename(tmp, live);
  await fsyncPath(dir, 'r').catch(() => undefined); // not every filesystem syncs directories
}

async function fsyncPath(path: string, flags: string): Promise<void> {
  const fh = await open(path, flags);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** A unique temp name for `base` in `dir`, tagged with this process id for stale-file cleanup. */
function tempName(dir: string, base: string): string {
  return join(dir, `${base}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
}

const TEMP = /\.tmp-(\d+)-[0-9a-f]{12}(?:-wal|-shm|-journal)?$/;

/** Deletes temp files of builds whose process is gone (killed mid-update). */
async function removeStaleTemps(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    const m = TEMP.exec(name);
    if (m && !isAlive(Number(m[1]))) await rm(join(dir, name), { force: true });
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}
