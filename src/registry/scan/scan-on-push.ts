import type { FastifyRequest } from 'fastify';
import { BosunError } from '../../errors.js';
import type { SeverityLevel } from '../../vuln/match/finding.js';
import type { RegistryExtension } from '../app.js';
import type { RegistryContext } from '../context.js';
import { actorOf, type RegistryEvent } from '../events.js';
import { repoOf } from '../http.js';
import { sqliteDatabaseOf } from '../feature-stores.js';
import type { MetricsRegistry } from '../metrics/metrics-registry.js';
import { parseReadReference } from '../names.js';
import type { sbomArtifactTypes } from './attach.js';
import { scanCandidate } from './candidate.js';
import { ScanQueue } from './scan-queue.js';
import { scanRoutes } from './scan-routes.js';
import { SqliteScanStore, type ScanStore } from './scan-store.js';
import { manifestBytes } from './store-image.js';
import { pullVerdict, type PullRule } from './verdict.js';

/** registry.yaml `scan:` (see config.ts for defaults). */
export interface ScanConfig {
  enabled: boolean;
  dbDir?: string;
  offline: boolean;
  queueSize: number;
  concurrency: number;
  /** Seconds. */
  timeout: number;
  sbomFormat: keyof typeof sbomArtifactTypes;
  attach: boolean;
  blockPullsAbove?: SeverityLevel;
  unscanned: 'allow' | 'deny';
}

/** The running feature, for tests and embedding: wait for scans to finish. */
export interface ScanHandle {
  queue: ScanQueue;
  store: ScanStore;
}

async function onPush(ctx: RegistryContext, queue: ScanQueue, store: ScanStore, event: Extract<RegistryEvent, { type: 'push' }>): Promise<void> {
  if (event.subject) return;
  if (scanCandidate(await manifestBytes(ctx, event.digest)).kind !== 'image') return;
  const job = { repo: event.repo, digest: event.digest };
  if (queue.has(job)) return;
  // Recorded before the job can start, so its own `running` is never overwritten by this.
  const updatedAt = new Date().toISOString();
  await store.put({ ...job, status: 'queued', updatedAt });
  if (queue.enqueue(job) === 'full') await store.put({ ...job, status: 'dropped', updatedAt, reason: 'the scan queue was full' });
}

function blockPulls(app: Parameters<RegistryExtension>[0], ctx: RegistryContext, store: ScanStore, rule: PullRule): void {
  app.addHook('preHandler', async (request: FastifyRequest) => {
    if (request.method !== 'GET' || request.routeOptions.url !== '/v2/_/manifests/:reference') return;
    const repo = repoOf(request);
    const ref = parseReadReference((request.params as { reference: string }).reference);
    const record = ref.kind === 'tag' ? await ctx.meta.resolveTag(repo, ref.tag) : await ctx.meta.getManifest(repo, ref.digest);
    if (!record) return;
    const verdict = await pullVerdict(ctx, store, rule, record);
    if (verdict.allowed) return;
    ctx.events.emit({ type: 'denied', actor: actorOf(request), repo, action: 'pull', reason: verdict.reason });
    throw new BosunError('REGISTRY_SCAN_PULL_BLOCKED', verdict.reason);
  });
}

/**
 * The scan-on-push feature: each pushed image manifest (see `scanCandidate`) is queued for an
 * SBOM + vulnerability scan run in-process (bounded queue, `concurrency` workers, never on the
 * request's path); results go to `deps.store` (else the SQLite metadata database), the `/api/v1/scans/` API and, with `attach`, to
 * referrers of the image. With `blockPullsAbove`, manifest GETs are checked first
 * (REGISTRY_SCAN_PULL_BLOCKED, 403 DENIED). `onStart` receives the running feature.
 */
export function scanOnPush(config: ScanConfig, deps: { metrics: MetricsRegistry; store?: ScanStore; onStart?: (handle: ScanHandle) => void }): RegistryExtension {
  return async (app, ctx) => {
    if (!config.enabled) return;
    // The scanner (catalogers, matcher, advisory db) loads only when scanning is on, so a
    // registry without it starts as fast as before.
    const { runScanJob } = await import('./scan-image.js');
    const store = deps.store ?? new SqliteScanStore(sqliteDatabaseOf(ctx.meta, 'scan on push'));
    const jobDeps = { ctx, store, offline: config.offline, sbomFormat: config.sbomFormat, attach: config.attach, logger: app.log, ...(config.dbDir !== undefined ? { dbDir: config.dbDir } : {}) };
    const queue = new ScanQueue((job, signal) => runScanJob(jobDeps, job, signal), { size: config.queueSize, concurrency: config.concurrency, timeoutMs: config.timeout * 1000, logger: app.log });
    deps.metrics.gauge('bosun_registry_scan_queue_depth', 'Scans waiting or running.', () => queue.depth);
    const off = ctx.events.on((event) => (event.type === 'push' ? onPush(ctx, queue, store, event) : undefined));
    scanRoutes(app, ctx, store);
    if (config.blockPullsAbove) blockPulls(app, ctx, store, { threshold: config.blockPullsAbove, unscanned: config.unscanned });
    app.addHook('onClose', async () => {
      off();
      await queue.close();
    });
    deps.onStart?.({ queue, store });
  };
}

