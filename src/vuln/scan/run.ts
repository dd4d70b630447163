import { createReadStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { BosunError } from '../../errors.js';
import type { Image } from '../../oci/types.js';
import { readSbom } from '../../sbom/codecs/index.js';
import type { Sbom } from '../../sbom/model.js';
import { writerFor } from '../../report/index.js';
import type { AdvisorySource } from '../advisory.js';
import { defaultIgnoreFiles, readIgnoreFile, type IgnoreRule } from '../suppress/ignorefile.js';
import { readVex, type VexStatement } from '../suppress/vex.js';
import type { FilterOptions } from './filter.js';
import type { ScanMetadata, ScanReport } from './report.js';
import { scanSbom } from './scan.js';
import { sbomForDirectory, sbomForImage } from './sbom-for.js';
import type { LayerCache } from '../../oci/layer-cache.js';

/** What to scan: an opened image, a directory, or an SPDX/CycloneDX document. */
export type ScanTarget =
  | { kind: 'image'; image: Image; name: string; layerCache?: LayerCache }
  | { kind: 'directory'; dir: string }
  | { kind: 'sbom'; file: string };

export interface RunScanOptions extends FilterOptions {
  source: AdvisorySource;
  db: ScanMetadata['db'];
  scannerVersion: string;
  /** Report format (`table`, `json`, `sarif`, `cyclonedx`, `cosign-vuln`). */
  format: string;
  /** Write here atomically (temp file + rename) instead of to `stdout`. */
  output?: string;
  stdout: Writable;
  /** Explicit ignore files; when none are given, `.bosunignore`, `.trivyignore` and `.trivyignore.yaml` in `cwd` are read if present. */
  ignoreFiles?: readonly string[];
  vexFiles?: readonly string[];
  cwd: string;
  listAllPackages?: boolean;
  signal?: AbortSignal;
  now?: () => Date;
}

/** The report, and whether findings remain after filters and suppressions (for `--exit-code`). */
export interface ScanOutcome {
  report: ScanReport;
  hasFindings: boolean;
}

const MAX_SBOM_BYTES = 256 * 1024 * 1024;

async function sbomFor(target: ScanTarget, signal: AbortSignal | undefined): Promise<Sbom> {
  switch (target.kind) {
    case 'image':
      return sbomForImage(target.image, target.name, signal, target.layerCache);
    case 'directory':
      return sbomForDirectory(target.dir, signal);
    case 'sbom': {
      const fh = await open(target.file, 'r').catch((err: unknown) => {
        throw new BosunError('IO_FAILED', `cannot read SBOM "${target.file}"`, { cause: err });
      });
      const size = (await fh.stat()).size;
      await fh.close();
      if (size > MAX_SBOM_BYTES) throw new BosunError('LIMIT_EXCEEDED', `SBOM "${target.file}" is larger than ${MAX_SBOM_BYTES} bytes`);
      return readSbom(createReadStream(target.file));
    }
  }
}

async function loadSuppressions(opts: RunScanOptions): Promise<{ rules: IgnoreRule[]; vex: VexStatement[] }> {
  const files = opts.ignoreFiles && opts.ignoreFiles.length > 0 ? opts.ignoreFiles : await defaultIgnoreFiles(opts.cwd);
  const rules = (await Promise.all(files.map(readIgnoreFile))).flat();
  const vex = (await Promise.all((opts.vexFiles ?? []).map(readVex))).flat();
  return { rules, vex };
}

async function platformOf(image: Image): Promise<string> {
  const c = await image.config();
  return [c.os, c.architecture, c.variant].filter(Boolean).join('/');
}

/** Writes to a temp file beside `file` and renames it into place, so readers never see half a report. */
async function writeAtomically(file: string, render: (out: Writable) => Promise<void>): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    const fh = await open(tmp, 'wx', 0o644);
    const out = fh.createWriteStream();
    try {
      await render(out);
    } finally {
      await new Promise<void>((resolve) => out.end(resolve));
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    if (err instanceof BosunError) throw err;
    throw new BosunError('IO_FAILED', `cannot write the report to "${file}"`, { cause: err });
  }
}

/**
 * Scans a target end to end: the SBOM pass, matching, suppressions, filters, then the report in the
 * requested format to `output` or `stdout`. Throws `REPORT_FORMAT_UNKNOWN` before any work for an
 * unknown format; `VULN_IGNOREFILE_INVALID`, `VULN_VEX_INVALID`, `IO_FAILED` for bad inputs;
 * source and SBOM errors propagate.
 */
export async function runScan(target: ScanTarget, opts: RunScanOptions): Promise<ScanOutcome> {
  const writer = writerFor(opts.format);
  const now = opts.now ?? (() => new Date());
  const startedAt = now();
  const { rules, vex } = await loadSuppressions(opts);
  const sbom = await sbomFor(target, opts.signal);
  const platform = target.kind === 'image' ? await platformOf(target.image) : undefined;
  const report = await scanSbom(sbom, opts.source, { ...opts, rules, vex, startedAt, now, ...(platform ? { platform } : {}) });
  if (opts.output) await writeAtomically(opts.output, (out) => writer.write(report, out));
  else await writer.write(report, opts.stdout);
  const hasFindings = report.results.some((r) => r.findings.some((f) => !f.suppression));
  return { report, hasFindings };
}
