import type { Command } from 'commander';
import { BosunError } from '../../errors.js';
import { dbStatus, defaultDbDir, importDatabase, updateDatabase, type DbStatus, type ImportReport, type UpdateReport } from '../../vuln/db/index.js';
import { formatBytes, table } from '../format.js';
import { Progress } from '../progress.js';

interface DbFlags {
  dbDir: string;
  format: string;
}

/** `bosun db update|import|status`: the vulnerability database. */
export function registerDb(program: Command): void {
  const db = program.command('db').description('manage the vulnerability database (OSV advisories in SQLite)');
  withCommon(db.command('update'))
    .description('download advisory archives from the mirror and rebuild the database atomically')
    .option('--db-repository <url>', 'mirror base URL, laid out <url>/<Ecosystem>/all.zip (default $BOSUN_DB_REPOSITORY, else OSV\'s bucket)')
    .option('--ecosystems <list>', 'comma-separated OSV ecosystems to fetch (default: every ecosystem bosun matches)')
    .option('-q, --quiet', 'no progress bar')
    .action(async (flags: DbFlags & { dbRepository?: string; ecosystems?: string; quiet?: boolean }) => {
      const format = checkFormat(flags.format);
      const progress = new Progress('advisories', process.stderr, { quiet: flags.quiet ?? false, unit: 'archives' });
      const ac = new AbortController();
      const stop = () => ac.abort(new BosunError('ABORTED', 'interrupted'));
      process.once('SIGINT', stop);
      try {
        const report = await updateDatabase({
          dir: flags.dbDir,
          ...(flags.dbRepository ? { repository: flags.dbRepository } : {}),
          ...(flags.ecosystems ? { ecosystems: splitList(flags.ecosystems) } : {}),
          signal: ac.signal,
          track: (size) => progress.track(size),
        });
        progress.finish();
        process.stdout.write(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderUpdate(report));
      } finally {
        process.off('SIGINT', stop);
      }
    });
  withCommon(db.command('import'))
    .description('import OSV records from zips, directories or JSON files (no network; same atomic swap)')
    .argument('<paths...>', 'OSV all.zip archives, directories of *.json, or single records')
    .option('--source <names>', 'comma-separated source names, one per path (default: each absolute path)')
    .action(async (paths: string[], flags: DbFlags & { source?: string }) => {
      const format = checkFormat(flags.format);
      const reports = await importDatabase(paths, { dir: flags.dbDir, ...(flags.source ? { sources: splitList(flags.source) } : {}) });
      process.stdout.write(format === 'json' ? `${JSON.stringify(reports, null, 2)}\n` : renderImport(reports));
    });
  withCommon(db.command('status'))
    .description('show schema version, build time, sources and counts per ecosystem')
    .action((flags: DbFlags) => {
      const format = checkFormat(flags.format);
      const status = dbStatus(flags.dbDir);
      process.stdout.write(format === 'json' ? `${JSON.stringify(status, null, 2)}\n` : renderStatus(status));
    });
}

function withCommon(cmd: Command): Command {
  return cmd
    .option('--db-dir <dir>', 'database directory (default $BOSUN_DB_DIR, else <cache dir>/db)', defaultDbDir())
    .option('-f, --format <format>', 'table or json', 'table');
}

function checkFormat(format: string): 'table' | 'json' {
  if (format !== 'table' && format !== 'json') throw new BosunError('INPUT_INVALID', `unknown --format "${format}": use table or json`);
  return format;
}

function splitList(s: string): string[] {
  return s.split(',').map((x) => x.trim()).filter((x) => x.length > 0);
}

function renderUpdate(r: UpdateReport): string {
  return `updated from ${r.repository}\n${table(
    ['SOURCE', 'STATUS', 'DOWNLOADED', 'RECORDS', 'REJECTED', 'RECORDS/S'],
    r.sources.map((s) => [s.name, s.status, s.bytes ? formatBytes(s.bytes) : '-', String(s.records), String(s.rejected), s.recordsPerSecond ? String(s.recordsPerSecond) : '-']),
  )}`;
}

function renderImport(reports: readonly ImportReport[]): string {
  const rows = reports.map((r) => [r.source, String(r.records), String(r.rejected), String(r.recordsPerSecond)]);
  const problems = reports.flatMap((r) => r.problems.map((p) => `  ${p.code}: ${p.message}\n`)).join('');
  return table(['SOURCE', 'RECORDS', 'REJECTED', 'RECORDS/S'], rows) + (problems ? `rejected records:\n${problems}` : '');
}

function renderStatus(s: DbStatus): string {
  const head = [
    `Database:       ${s.path} (${formatBytes(s.sizeBytes)})`,
    `Schema version: ${s.schemaVersion}`,
    `Built at:       ${s.builtAt ?? '-'}`,
    `Checked at:     ${s.checkedAt ?? '-'}`,
    `Advisories:     ${s.advisories} (${s.withdrawn} withdrawn)`,
  ].join('\n');
  const sources = table(
    ['SOURCE', 'RECORDS', 'REJECTED', 'FETCHED', 'ETAG', 'SHA256'],
    s.sources.map((x) => [x.name, String(x.records), String(x.rejected), x.fetchedAt, x.etag ?? '-', x.sha256 ? x.sha256.slice(0, 12) : '-']),
  );
  const ecosystems = table(
    ['ECOSYSTEM', 'RELEASE', 'ADVISORIES', 'WITHDRAWN'],
    s.ecosystems.map((e) => [e.ecosystem, e.release || '-', String(e.advisories), String(e.withdrawn)]),
  );
  return `${head}\n\n${sources}\n${ecosystems}`;
}
