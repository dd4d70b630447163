import type { Command } from 'commander';
import { BosunError } from '../../errors.js';
import { defaultRegistryConfig, loadRegistryConfig } from '../../registry/config.js';
import { collectGarbage, parseDuration, withDataDir, type GcRemovedKind, type RemovedEntry } from '../../registry/lifecycle/index.js';

interface GcFlags {
  config?: string;
  data?: string;
  dryRun?: boolean;
  grace?: string;
  deleteUntagged?: boolean;
}

/** `12.3 MiB` style byte counts for the summary line. */
function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

function describe(kind: string, e: RemovedEntry): string {
  const what = e.repo === '' ? e.digest : `${e.repo}${e.tag !== undefined ? `:${e.tag}` : ''}@${e.digest}`;
  return `${kind} ${what} (${e.size} bytes)`;
}

/** `bosun registry gc`: offline garbage collection of a data directory no server is using. */
export function registerRegistryGc(registry: Command): void {
  registry
    .command('gc')
    .description('garbage-collect a registry (SQLite: the server must be stopped; PostgreSQL: safe beside running replicas; online GC: gc.every)')
    .option('--config <file>', 'registry.yaml: its data, storage and gc sections are used; flags override them')
    .option('--data <dir>', 'data directory (default ./registry-data)')
    .option('--dry-run', 'print what would be removed; change nothing')
    .option('--grace <duration>', 'keep anything younger than this, e.g. 30m, 1h, 2d (default 1h)')
    .option('--delete-untagged', 'also remove manifests no tag reaches (default: keep them)')
    .action(async (flags: GcFlags) => {
      const config = flags.config ? await loadRegistryConfig(flags.config) : defaultRegistryConfig();
      const grace = flags.grace ?? config.gc.grace;
      const graceMs = parseDuration(grace);
      if (graceMs === undefined) throw new BosunError('INPUT_INVALID', `invalid --grace "${grace}": want a duration such as 30m, 1h or 2d`);
      const verb = flags.dryRun ? 'would remove' : 'removed';
      const report = await withDataDir({ dataDir: flags.data ?? config.data, storage: config.storage }, 'gc', (stores) =>
        collectGarbage(stores, {
          graceMs,
          deleteUntagged: flags.deleteUntagged ?? config.gc.deleteUntagged,
          dryRun: flags.dryRun ?? false,
          onRemoved: (kind: GcRemovedKind, e) => process.stdout.write(`${verb} ${describe(kind, e)}\n`),
        }),
      );
      const counts = `${report.manifests.length} manifests, ${report.links.length} blob links, ${report.blobs.length} blobs`;
      process.stdout.write(`gc: ${verb} ${counts}; ${formatBytes(report.bytesFreed)} ${flags.dryRun ? 'would be ' : ''}freed\n`);
    });
}
