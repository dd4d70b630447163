import { isBosunError } from '../../errors.js';
import type { RegistryExtension } from '../app.js';
import { shareContentGuard } from './content-guard.js';
import type { GcConfig, RetentionConfig } from './config-schema.js';
import { parseDuration } from './duration.js';
import { collectGarbage } from './gc.js';
import { PullRecorder } from './pull-recorder.js';
import { applyRetention } from './retention.js';
import { LifecycleScheduler, type ScheduledJob } from './scheduler.js';

/** registry.yaml's lifecycle sections, as the extension reads them. */
export interface LifecycleConfig {
  gc: GcConfig;
  retention: RetentionConfig;
}

function jobsFor(config: LifecycleConfig, stores: Parameters<typeof collectGarbage>[0], log: (msg: string, data: object) => void): ScheduledJob[] {
  const jobs: ScheduledJob[] = [];
  const { gc, retention } = config;
  if (retention.every !== undefined && retention.rules.length > 0) {
    jobs.push({
      name: 'retention',
      everyMs: parseDuration(retention.every)!,
      run: async (signal) => {
        const r = await applyRetention(stores, retention.rules, { signal });
        log('registry retention done', { tags: r.tags.length, manifests: r.manifests.length });
      },
    });
  }
  if (gc.every !== undefined) {
    jobs.push({
      name: 'gc',
      everyMs: parseDuration(gc.every)!,
      run: async (signal) => {
        const r = await collectGarbage(stores, { graceMs: parseDuration(gc.grace)!, deleteUntagged: gc.deleteUntagged, signal });
        log('registry gc done', { manifests: r.manifests.length, links: r.links.length, blobs: r.blobs.length, bytesFreed: r.bytesFreed });
      },
    });
  }
  return jobs.filter((j) => j.everyMs > 0);
}

/**
 * The lifecycle feature of a serving registry: claims the data directory (an offline
 * `bosun registry gc` then refuses to run), records last-pull times from `pull` events in
 * batches, and runs retention and garbage collection on their schedules inside the server,
 * where the ContentGuard makes GC safe against concurrent pushes. Stopped in onClose (pull
 * times flushed, the running job aborted).
 */
export function lifecycleExtension(config: LifecycleConfig): RegistryExtension {
  return async (app, ctx) => {
    const life = ctx.meta.lifecycle?.();
    if (!life) return;
    await life.claimOwner('registry server');
    shareContentGuard(ctx.blobs, life);
    const pulls = new PullRecorder(life, (err) => app.log.error({ err }, 'registry: recording pull times failed'));
    const off = ctx.events.on((e) => {
      if (e.type === 'pull') pulls.record({ repo: e.repo, digest: e.digest, at: e.time.getTime(), ...(e.tag !== undefined ? { tag: e.tag } : {}) });
    });
    const flushTimer = setInterval(() => void pulls.flush(), parseDuration(config.retention.pullFlush)! || 30_000);
    flushTimer.unref();
    const scheduler = new LifecycleScheduler(
      jobsFor(config, { blobs: ctx.blobs, meta: ctx.meta }, (msg, data) => app.log.info(data, msg)),
      (err, job) =>
        // Replicas each schedule the jobs; whichever starts first runs, the others skip a turn.
        isBosunError(err, 'REGISTRY_GC_BUSY') ? app.log.info({ job }, 'registry lifecycle job skipped: another process is running one') : app.log.error({ err, job }, 'registry lifecycle job failed'),
    );
    scheduler.start();
    app.addHook('onClose', async () => {
      off();
      clearInterval(flushTimer);
      await scheduler.stop();
      await pulls.flush();
      await life.releaseOwner();
    });
  };
}
