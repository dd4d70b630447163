import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { BosunError } from '../../errors.js';
import { sbomLimits } from '../limits.js';

export interface SqliteRecord {
  key: number;
  blob: Buffer;
}

/**
 * Reads the header blobs of rpm's SQLite database (`rpmdb.sqlite`, rpm 4.16+: Fedora 33+, RHEL 9+),
 * table `Packages (hnum INTEGER PRIMARY KEY, blob BLOB)`. The captured bytes (and the `-wal` file,
 * when the image has one, so committed but uncheckpointed changes count) are copied into a private
 * temp directory and opened read-only there; the directory is removed afterwards. Throws
 * SBOM_FILE_INVALID when the file is not such a database and LIMIT_EXCEEDED past
 * `sbomLimits.packagesPerFile` rows.
 */
export async function readSqliteRecords(db: Buffer, wal?: Buffer): Promise<SqliteRecord[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bosun-rpmdb-'));
  try {
    const file = path.join(dir, 'rpmdb.sqlite');
    await writeFile(file, db, { mode: 0o600 });
    if (wal) await writeFile(`${file}-wal`, wal, { mode: 0o600 });
    return query(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function query(file: string): SqliteRecord[] {
  let conn: Database.Database | undefined;
  try {
    conn = new Database(file, { readonly: true, fileMustExist: true });
    const count = (conn.prepare('SELECT count(*) AS n FROM Packages').get() as { n: number }).n;
    if (count > sbomLimits.packagesPerFile) throw new BosunError('LIMIT_EXCEEDED', `rpmdb.sqlite: ${count} packages, past the ${sbomLimits.packagesPerFile} cap`);
    const rows = conn.prepare('SELECT hnum, blob FROM Packages ORDER BY hnum').all() as { hnum: unknown; blob: unknown }[];
    return rows
      .filter((r): r is { hnum: number; blob: Buffer } => typeof r.hnum === 'number' && Buffer.isBuffer(r.blob))
      .map((r) => ({ key: r.hnum, blob: r.blob }));
  } catch (err) {
    if (err instanceof BosunError) throw err;
    throw new BosunError('SBOM_FILE_INVALID', `rpmdb.sqlite: ${(err as Error).message}`, { cause: err });
  } finally {
    conn?.close();
  }
}
