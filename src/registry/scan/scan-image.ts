import type { FastifyBaseLogger } from 'fastify';
import type { Digest } from '../../oci/digest.js';
import { codecFor } from '../../sbom/codecs/index.js';
import { generateSbom } from '../../sbom/generate.js';
import { openDatabase } from '../../vuln/db/index.js';
import type { ScanReport } from '../../vuln/scan/report.js';
import { scanSbom } from '../../vuln/scan/scan.js';
import { bosunVersion } from '../../version.js';
import type { RegistryContext } from '../context.js';
import { attachArtifact, reportArtifactType, sbomArtifactTypes } from './attach.js';
import type { ScanJob } from './scan-queue.js';
import type { ScanRecord, ScanStore } from './scan-store.js';
import { storeImage } from './store-image.js';

/** What a scan job needs besides the job itself. */
export interface ScanJobDeps {
  ctx: RegistryContext;
  store: ScanStore;
  /** Advisory database directory; bosun's default when absent. */
  dbDir?: string;
  offline: boolean;
  sbomFormat: keyof typeof sbomArtifactTypes;
  attach: boolean;
  logger?: FastifyBaseLogger;
  now?: () => Date;
}

async function attachResults(deps: ScanJobDeps, job: ScanJob, sbomJson: Buffer, report: ScanReport): Promise<Pick<ScanRecord, 'sbomDigest' | 'reportDigest'>> {
  const record = (await deps.ctx.meta.getManifest(job.repo, job.digest as Digest))!;
  const subject = { mediaType: record.mediaType, digest: record.digest, size: record.size };
  const annotations = { 'org.opencontainers.image.created': report.metadata.finishedAt };
  const sbomDigest = await attachArtifact(deps.ctx, job.repo, subject, { artifactType: sbomArtifactTypes[deps.sbomFormat], content: sbomJson, annotations });
  const content = Buffer.from(`${JSON.stringify(report)}\n`);
  const reportDigest = await attachArtifact(deps.ctx, job.repo, subject, { artifactType: reportArtifactType, content, annotations });
  return { sbomDigest, reportDigest };
}

async function scanOnce(deps: ScanJobDeps, job: ScanJob, signal: AbortSignal): Promise<{ report: ScanReport; sbomJson: Buffer }> {
  const image = storeImage(deps.ctx, job.repo, job.digest as Digest);
  const { sbom } = await generateSbom({ kind: 'image', name: `${job.repo}@${job.digest}`, image }, { signal });
  const opened = await openDatabase({ ...(deps.dbDir !== undefined ? { dir: deps.dbDir } : {}), ...(deps.offline ? { offline: true } : {}) });
  for (const w of opened.warnings) deps.logger?.warn({ code: w.code }, w.message);
  try {
    const report = await scanSbom(sbom, opened.source, {
      scannerVersion: bosunVersion, db: { kind: 'sqlite', ...(deps.dbDir !== undefined ? { location: deps.dbDir } : {}) }, signal,
      ...(sbom.source.platform ? { platform: sbom.source.platform } : {}), ...(deps.now ? { now: deps.now } : {}),
    });
    const sbomJson = Buffer.from(JSON.stringify(codecFor(deps.sbomFormat).encode(sbom)));
    return { report, sbomJson };
  } finally {
    opened.source.close();
  }
}

/**
 * One scan: SBOM of the image read from the stores, matched against the advisory database,
 * result stored (and, with `attach`, SBOM and report pushed as referrers), then a `scan`
 * event. Never throws: a failure is stored as status `failed` with its reason and announced.
 */
export async function runScanJob(deps: ScanJobDeps, job: ScanJob, signal: AbortSignal): Promise<void> {
  const now = deps.now ?? (() => new Date());
  await deps.store.put({ ...job, status: 'running', updatedAt: now().toISOString() });
  try {
    const { report, sbomJson } = await scanOnce(deps, job, signal);
    const attached = deps.attach ? await attachResults(deps, job, sbomJson, report) : {};
    await deps.store.put({ ...job, status: 'done', updatedAt: now().toISOString(), summary: report.summary, report, ...attached });
    deps.ctx.events.emit({ type: 'scan', repo: job.repo, digest: job.digest as Digest, status: 'done', summary: { ...report.summary } });
  } catch (err) {
    const reason = `${(err as { code?: string }).code ?? 'ERROR'}: ${(err as Error).message}`.slice(0, 1000);
    deps.logger?.warn({ err, repo: job.repo, digest: job.digest }, 'scan on push failed');
    await deps.store.put({ ...job, status: 'failed', updatedAt: now().toISOString(), reason });
    deps.ctx.events.emit({ type: 'scan', repo: job.repo, digest: job.digest as Digest, status: 'failed', summary: {}, reason });
  }
}
