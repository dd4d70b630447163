import type { Command } from 'commander';
import { BosunError } from '../errors.js';
import { bosunVersion } from '../version.js';
import { severityLevels, type SeverityLevel } from '../vuln/match/finding.js';
import { defaultDbDir, openDatabase, type SqliteAdvisorySource } from '../vuln/db/index.js';
import { Progress } from './progress.js';
import { pkgTypeClasses, type PkgTypeClass } from '../vuln/scan/filter.js';
import type { ScanMetadata } from '../vuln/scan/report.js';
import { runScan, type ScanTarget } from '../vuln/scan/run.js';

/** The flags every scan command shares (Trivy's names). */
export interface ScanFlags {
  severity?: string;
  exitCode: string;
  ignoreUnfixed?: boolean;
  ignorefile: string[];
  vex: string[];
  pkgTypes?: string;
  listAllPkgs?: boolean;
  format: string;
  output?: string;
  timeout: string;
  skipDbUpdate?: boolean;
  offline?: boolean;
  dbDir: string;
  dbRepository?: string;
  quiet?: boolean;
}

const collect = (value: string, prev: string[]): string[] => [...prev, value];

/** Adds the scan flags; `withQuiet` is false for commands that already have the image flags' `--quiet`. */
export function addScanOptions(cmd: Command, withQuiet = true): Command {
  cmd
    .option('--severity <list>', `severities to report, comma-separated (${severityLevels.join(',')})`)
    .option('--exit-code <n>', 'exit with this code when findings remain after filters and suppressions', '0')
    .option('--ignore-unfixed', 'report only findings with a fixed version')
    .option('--ignorefile <file>', 'ignore file (.trivyignore syntax, or .trivyignore.yaml); repeatable; default .bosunignore/.trivyignore in the current directory', collect, [])
    .option('--vex <file>', 'OpenVEX or CycloneDX VEX document; not_affected/fixed statements suppress; repeatable', collect, [])
    .option('--pkg-types <list>', 'package kinds to report: os,library', )
    .option('--list-all-pkgs', 'list every package, not only vulnerable ones')
    .option('-f, --format <format>', 'table, json, sarif, cyclonedx or cosign-vuln', 'table')
    .option('-o, --output <file>', 'write the report to a file (atomically) instead of stdout')
    .option('--timeout <duration>', 'give up after this long (e.g. 90s, 5m)', '5m')
    .option('--skip-db-update', 'use the local advisory database as it is, even when older than a day')
    .option('--offline', 'make no network calls for advisories (implies --skip-db-update)')
    .option('--db-dir <dir>', 'advisory database directory (see `bosun db status`)', defaultDbDir())
    .option('--db-repository <url>', 'where a missing or stale database is updated from, as `bosun db update` takes it (default $BOSUN_DB_REPOSITORY, else OSV\'s bucket)');
  return withQuiet ? cmd.option('-q, --quiet', 'no progress output') : cmd;
}

function parseList<T extends string>(raw: string | undefined, allowed: readonly T[], flag: string): T[] | undefined {
  if (raw === undefined) return undefined;
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = items.find((i) => !allowed.includes(i.toUpperCase() as T) && !allowed.includes(i as T));
  if (bad !== undefined || items.length === 0) throw new BosunError('INPUT_INVALID', `${flag} "${raw}": use ${allowed.join(',')}`);
  return items.map((i) => (allowed.includes(i as T) ? (i as T) : (i.toUpperCase() as T)));
}

/** `90s`, `5m`, `1h`, `500ms` in milliseconds. */
export function parseDuration(raw: string): number {
  const m = /^(\d+)(ms|s|m|h)$/.exec(raw.trim());
  if (!m) throw new BosunError('INPUT_INVALID', `--timeout "${raw}": use a number with ms, s, m or h (e.g. 5m)`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
}

function parseExitCode(raw: string): number {
  if (!/^\d{1,3}$/.test(raw) || Number(raw) > 255) throw new BosunError('INPUT_INVALID', `--exit-code "${raw}": use 0-255`);
  return Number(raw);
}

/**
 * Opens the SQLite advisory database (`bosun db update|import` build it). A missing database, or
 * one older than a day, is updated first (from --db-repository) unless --skip-db-update or
 * --offline: then a missing one is VULN_DB_MISSING and a stale one is used with a warning.
 */
export async function openAdvisories(flags: Pick<ScanFlags, 'dbDir' | 'dbRepository' | 'skipDbUpdate' | 'offline' | 'quiet'>): Promise<{ source: SqliteAdvisorySource; db: ScanMetadata['db'] }> {
  // A first scan downloads every ecosystem's archive: show it as `bosun db update` does. It is
  // not under --timeout, which bounds the scan: a slow first download must not be thrown away.
  const progress = new Progress('advisories', process.stderr, { quiet: flags.quiet ?? false, unit: 'archives' });
  const opened = await openDatabase({
    dir: flags.dbDir,
    ...(flags.skipDbUpdate ? { skipUpdate: true } : {}),
    ...(flags.offline ? { offline: true } : {}),
    update: {
      ...(flags.dbRepository !== undefined ? { repository: flags.dbRepository } : {}),
      track: (size) => progress.track(size),
    },
  });
  if (opened.updated) progress.finish();
  for (const w of opened.warnings) process.stderr.write(`bosun: warning: ${w.code}: ${w.message}\n`);
  return { source: opened.source, db: { kind: 'sqlite', location: flags.dbDir } };
}

/** Runs a scan for a command: maps the flags, runs it, and sets the exit code (`--exit-code` when findings remain). */
export async function scanCommand(flags: ScanFlags, target: (signal: AbortSignal) => Promise<{ target: ScanTarget; close?: () => Promise<void> }>): Promise<void> {
  const severities = parseList<SeverityLevel>(flags.severity, severityLevels, '--severity');
  const pkgTypes = parseList<PkgTypeClass>(flags.pkgTypes, pkgTypeClasses, '--pkg-types');
  const exitCode = parseExitCode(flags.exitCode);
  const signal = AbortSignal.timeout(parseDuration(flags.timeout));
  const { source, db } = await openAdvisories(flags);
  const opened = await target(signal);
  try {
    const { hasFindings } = await runScan(opened.target, {
      source, db, scannerVersion: bosunVersion, format: flags.format, stdout: process.stdout,
      ignoreFiles: flags.ignorefile, vexFiles: flags.vex, cwd: process.cwd(), signal,
      ...(flags.output ? { output: flags.output } : {}),
      ...(severities ? { severities } : {}), ...(pkgTypes ? { pkgTypes } : {}),
      ...(flags.ignoreUnfixed ? { ignoreUnfixed: true } : {}), ...(flags.listAllPkgs ? { listAllPackages: true } : {}),
    });
    if (hasFindings && exitCode !== 0) process.exitCode = exitCode;
  } finally {
    await opened.close?.();
    source.close();
  }
}
