/**
 * `bosun db update`: fetch each ecosystem's archive from a mirror laid out like OSV's public
 * bucket and rebuild the database atomically; `bosun db import`: the same from local files.
 *
 * ```
 * <repository>/
 *   <Ecosystem>/all.zip          OSV records of that ecosystem, one JSON file per record
 *   <Ecosystem>/all.zip.sha256   optional: `<64 hex>[  all.zip]`, checked when present
 * ```
 */
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Transform } from 'node:stream';
import { BosunError, redactUrl } from '../../errors.js';
import { buildDatabase, type BuildContext } from './build.js';
import { download } from './download.js';
import { importOsv, type ImportOptions, type ImportReport } from './import.js';

/** OSV's public bucket; tests and mirrors pass their own with --db-repository. */
export const DEFAULT_DB_REPOSITORY = 'https://osv-vulnerabilities.storage.googleapis.com';

/** The ecosystems bosun has comparators for (DESIGN.md), as OSV's bucket spells them. */
export const DEFAULT_ECOSYSTEMS: readonly string[] = [
  'AlmaLinux', 'Alpine', 'Debian', 'Go', 'Maven', 'npm', 'NuGet', 'Packagist', 'PyPI', 'Red Hat', 'Rocky Linux', 'RubyGems', 'crates.io',
];

export interface UpdateOptions {
  /** The db directory (see `defaultDbDir`). */
  dir: string;
  /** Mirror base URL (http or https); default `$BOSUN_DB_REPOSITORY`, else OSV's bucket. */
  repository?: string;
  ecosystems?: readonly string[];
  signal?: AbortSignal;
  /** Progress: a pass-through counting an archive's bytes (`size` 0 when unknown). */
  track?: (size: number, ecosystem: string) => Transform;
  /** Per archive; default 4 GiB. */
  maxArchiveBytes?: number;
  /** Per request, headers to last byte; default 30 minutes. */
  timeoutMs?: number;
  now?: () => Date;
  env?: NodeJS.ProcessEnv;
}

export interface SourceUpdate {
  name: string;
  status: 'updated' | 'not-modified' | 'removed';
  bytes: number;
  records: number;
  rejected: number;
  recordsPerSecond: number;
}

export interface UpdateReport {
  repository: string;
  sources: SourceUpdate[];
}

/** The mirror base URL to use: the flag, else `$BOSUN_DB_REPOSITORY`, else OSV's bucket. */
export function repositoryUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const raw = flag || env.BOSUN_DB_REPOSITORY || DEFAULT_DB_REPOSITORY;
  let u: URL;
  try {
    u = new URL(raw);
  } catch (err) {
    throw new BosunError('INPUT_INVALID', `db repository "${redactUrl(raw)}" is not a URL`, { cause: err });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new BosunError('INPUT_INVALID', `db repository "${redactUrl(raw)}" must be http or https (use \`bosun db import\` for files)`);
  }
  return raw.replace(/\/+$/, '');
}

/**
 * Brings the database up to date with the mirror. Sources answering 304 keep their data;
 * ecosystems no longer listed are removed (imported sources stay). Atomic: on any error the
 * previous database stays in place. Throws the codes of `download`, `importOsv` and
 * `buildDatabase`.
 */
export async function updateDatabase(opts: UpdateOptions): Promise<UpdateReport> {
  const repository = repositoryUrl(opts.repository, opts.env);
  const ecosystems = opts.ecosystems ?? DEFAULT_ECOSYSTEMS;
  if (ecosystems.length === 0) throw new BosunError('INPUT_INVALID', 'no ecosystems to update');
  const now = opts.now ?? (() => new Date());
  const sources = await buildDatabase(
    opts.dir,
    async (ctx) => {
      const done: SourceUpdate[] = [];
      for (const eco of ecosystems) done.push(await updateSource(ctx, eco, `${repository}/${encodeURIComponent(eco)}/all.zip`, opts, now()));
      for (const [name, prev] of ctx.previous) {
        if (prev.url !== undefined && !ecosystems.includes(name)) {
          ctx.writer.dropSource(name);
          done.push({ name, status: 'removed', bytes: 0, records: 0, rejected: 0, recordsPerSecond: 0 });
        }
      }
      return { result: done, isChanged: done.some((s) => s.status !== 'not-modified') };
    },
    { ...(opts.signal ? { signal: opts.signal } : {}), now },
  );
  return { repository: redactUrl(repository), sources };
}

async function updateSource(ctx: BuildContext, eco: string, url: string, opts: UpdateOptions, now: Date): Promise<SourceUpdate> {
  const prev = ctx.previous.get(eco);
  const zip = ctx.tempPath(`${eco.replace(/[^A-Za-z0-9._-]/g, '_')}.zip`);
  try {
    const got = await download(url, zip, {
      ...(prev?.etag ? { etag: prev.etag } : {}),
      ...(prev?.lastModified ? { lastModified: prev.lastModified } : {}),
      maxBytes: opts.maxArchiveBytes ?? 4 * 1024 ** 3,
      timeoutMs: opts.timeoutMs ?? 30 * 60_000,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.track ? { track: (size: number) => opts.track!(size, eco) } : {}),
    });
    if (got.kind === 'not-modified') {
      ctx.writer.setSource({ ...prev!, fetchedAt: now.toISOString() });
      return { name: eco, status: 'not-modified', bytes: 0, records: prev!.records, rejected: prev!.rejected, recordsPerSecond: 0 };
    }
    const input = { path: zip, source: eco, url: redactUrl(url), sha256: got.sha256, ...(got.etag ? { etag: got.etag } : {}), ...(got.lastModified ? { lastModified: got.lastModified } : {}) };
    const r = await importOsv(ctx.writer, input, { kind: 'zip', now, ...(opts.signal ? { signal: opts.signal } : {}) });
    return { name: eco, status: 'updated', bytes: got.bytes, records: r.records, rejected: r.rejected, recordsPerSecond: r.recordsPerSecond };
  } finally {
    await rm(zip, { force: true });
  }
}

export interface ImportDatabaseOptions extends Omit<ImportOptions, 'onRecords' | 'kind'> {
  dir: string;
  /** Source names, one per path; default: each path made absolute. */
  sources?: readonly string[];
}

/**
 * `bosun db import`: imports each path (zip, directory or JSON file) as its own source,
 * replacing a previous import under the same name, with the same atomic swap as an update.
 */
export async function importDatabase(paths: readonly string[], opts: ImportDatabaseOptions): Promise<ImportReport[]> {
  if (paths.length === 0) throw new BosunError('INPUT_INVALID', 'nothing to import');
  if (opts.sources && opts.sources.length !== paths.length) throw new BosunError('INPUT_INVALID', 'give one --source per path');
  const { dir, sources, ...importOpts } = opts;
  return buildDatabase(
    dir,
    async ({ writer }) => {
      const reports: ImportReport[] = [];
      for (const [i, p] of paths.entries()) reports.push(await importOsv(writer, { path: p, source: sources?.[i] ?? resolve(p) }, importOpts));
      return { result: reports, isChanged: true };
    },
    opts.signal ? { signal: opts.signal } : {},
  );
}
