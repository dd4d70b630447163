/**
 * Imports OSV records into a database being built, from a zip (OSV's per-ecosystem `all.zip`),
 * a directory of `*.json` files (walked recursively), or one JSON file. Records stream through
 * in batches, so memory stays flat whatever the input size; each batch is one transaction.
 */
import { readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BosunError, type ErrorCode } from '../../errors.js';
import type { Advisory } from '../advisory.js';
import { decodeOsv, defaultOsvLimits, type OsvLimits } from './osv.js';
import type { AdvisoryWriter, SourceRecord } from './writer.js';
import { defaultZipLimits, readZip, type ZipLimits } from './zip.js';

/** What to import and what to remember about where it came from. */
export interface ImportInput {
  /** A zip, a directory or a single `.json` file. */
  path: string;
  /** The source name records are filed under (an ecosystem for `db update`). */
  source: string;
  url?: string;
  etag?: string;
  lastModified?: string;
  sha256?: string;
}

export interface ImportOptions {
  /** `zip` insists on a zip archive (`VULN_ARCHIVE_INVALID` otherwise); default: by content. */
  kind?: 'auto' | 'zip';
  signal?: AbortSignal;
  limits?: OsvLimits;
  zipLimits?: ZipLimits;
  /** Records per transaction. */
  batchSize?: number;
  /** Problems kept in the report (all are counted). */
  maxProblems?: number;
  /** Called after every batch with the number of records read so far. */
  onRecords?: (n: number) => void;
  now?: Date;
}

/** A record that was left out, and why. */
export interface ImportProblem {
  entry: string;
  code: ErrorCode;
  message: string;
}

export interface ImportReport {
  source: string;
  /** Distinct records the source now holds (withdrawn ones included). */
  records: number;
  rejected: number;
  problems: ImportProblem[];
  seconds: number;
  recordsPerSecond: number;
}

interface RawRecord {
  name: string;
  data: Buffer | (() => Buffer);
}

const MAX_DEPTH = 32;

/**
 * Replaces the records of `input.source` with those read from `input.path`. A record that is
 * not valid OSV becomes a problem in the report and the import goes on; an unreadable archive
 * or file throws (`VULN_ARCHIVE_INVALID`, `IO_FAILED`, `LIMIT_EXCEEDED`), and so does an input
 * whose every record was rejected (`VULN_ADVISORY_INVALID`).
 */
export async function importOsv(writer: AdvisoryWriter, input: ImportInput, opts: ImportOptions = {}): Promise<ImportReport> {
  const started = performance.now();
  const limits = opts.limits ?? defaultOsvLimits;
  const batchSize = opts.batchSize ?? 1_000;
  const report: ImportReport = { source: input.source, records: 0, rejected: 0, problems: [], seconds: 0, recordsPerSecond: 0 };
  writer.clearSource(input.source);
  let batch: Advisory[] = [];
  let read = 0;
  for await (const raw of recordsOf(input.path, limits, opts)) {
    try {
      const data = typeof raw.data === 'function' ? raw.data() : raw.data;
      batch.push(decodeOsv(data, raw.name, limits));
    } catch (err) {
      if (!(err instanceof BosunError) || err.code === 'ABORTED') throw err;
      report.rejected++;
      if (report.problems.length < (opts.maxProblems ?? 100)) report.problems.push({ entry: raw.name, code: err.code, message: err.message });
    }
    if (++read % batchSize === 0) {
      writer.insertBatch(input.source, batch);
      batch = [];
      opts.onRecords?.(read);
    }
  }
  writer.insertBatch(input.source, batch);
  opts.onRecords?.(read);
  report.records = writer.countSource(input.source);
  if (report.records === 0 && report.rejected > 0) {
    throw new BosunError('VULN_ADVISORY_INVALID', `none of the ${report.rejected} records in "${input.path}" is valid OSV (first: ${report.problems[0]?.message ?? ''})`);
  }
  writer.setSource({ ...sourceMeta(input), records: report.records, rejected: report.rejected, fetchedAt: (opts.now ?? new Date()).toISOString() });
  report.seconds = (performance.now() - started) / 1000;
  report.recordsPerSecond = report.seconds > 0 ? Math.round(read / report.seconds) : read;
  return report;
}

function sourceMeta(input: ImportInput): Pick<SourceRecord, 'name' | 'url' | 'etag' | 'lastModified' | 'sha256'> {
  const { source: name, url, etag, lastModified, sha256 } = input;
  return { name, ...(url ? { url } : {}), ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}), ...(sha256 ? { sha256 } : {}) };
}

async function* recordsOf(path: string, limits: OsvLimits, opts: ImportOptions): AsyncGenerator<RawRecord> {
  const st = await stat(path).catch((err: unknown) => {
    throw new BosunError('IO_FAILED', `cannot read "${path}"`, { cause: err });
  });
  if (st.isDirectory()) {
    yield* walk(path, limits, 0, opts.signal);
  } else if (await isZip(path)) {
    const accept = (name: string) => name.endsWith('.json');
    for await (const e of readZip(path, { accept, limits: opts.zipLimits ?? defaultZipLimits, signal: opts.signal })) yield e;
  } else if (opts.kind === 'zip') {
    throw new BosunError('VULN_ARCHIVE_INVALID', `"${path}" is not a zip archive`);
  } else {
    yield { name: path, data: readCapped(path, limits) };
  }
}

// Directory walks read with sync calls: one threadpool round trip per stat/open/read/close made
// async reads of many small files several times slower than the import itself.
async function* walk(dir: string, limits: OsvLimits, depth: number, signal?: AbortSignal): AsyncGenerator<RawRecord> {
  if (depth > MAX_DEPTH) throw new BosunError('LIMIT_EXCEEDED', `directory "${dir}" is nested deeper than ${MAX_DEPTH}`);
  let listing: Dirent[];
  try {
    listing = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    throw new BosunError('IO_FAILED', `cannot list "${dir}"`, { cause: err });
  }
  const entries = listing.filter((e) => e.isDirectory() || (e.isFile() && e.name.endsWith('.json'))).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (signal?.aborted) throw new BosunError('ABORTED', `import of "${dir}" cancelled`, { cause: signal.reason });
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p, limits, depth + 1, signal);
    else yield { name: p, data: () => readCapped(p, limits) };
  }
}

/** Reads a file, refusing one over the record cap before reading it. */
function readCapped(path: string, limits: OsvLimits): Buffer {
  try {
    const size = statSync(path).size;
    if (size > limits.maxRecordBytes) {
      throw new BosunError('LIMIT_EXCEEDED', `advisory "${path}" is ${size} bytes, over the ${limits.maxRecordBytes}-byte cap`);
    }
    return readFileSync(path);
  } catch (err) {
    if (err instanceof BosunError) throw err;
    throw new BosunError('IO_FAILED', `cannot read "${path}"`, { cause: err });
  }
}

async function isZip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await fh.read(head, 0, 4, 0);
    const magic = head.readUInt32LE(0);
    // a local file header, or the end record of an empty archive
    return bytesRead === 4 && (magic === 0x04034b50 || magic === 0x06054b50);
  } finally {
    await fh.close();
  }
}
