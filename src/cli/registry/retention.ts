import type { Command } from 'commander';
import { defaultRegistryConfig, loadRegistryConfig } from '../../registry/config.js';
import { applyRetention, withDataDir } from '../../registry/lifecycle/index.js';

interface RetentionFlags {
  config?: string;
  data?: string;
  dryRun?: boolean;
}

/** `bosun registry retention`: applies registry.yaml's retention rules once, offline. */
export function registerRegistryRetention(registry: Command): void {
  registry
    .command('retention')
    .description('apply the retention rules of registry.yaml (SQLite: the server must be stopped; PostgreSQL: safe beside running replicas)')
    .option('--config <file>', 'registry.yaml with a retention section (see docs/registry.md)')
    .option('--data <dir>', 'data directory (default: the config file\'s data, else ./registry-data)')
    .option('--dry-run', 'print exactly which tags and manifests would go; change nothing')
    .action(async (flags: RetentionFlags) => {
      const config = flags.config ? await loadRegistryConfig(flags.config) : defaultRegistryConfig();
      if (config.retention.rules.length === 0) {
        process.stdout.write('retention: no rules configured (retention.rules in registry.yaml); nothing to do\n');
        return;
      }
      const verb = flags.dryRun ? 'would remove' : 'removed';
      const report = await withDataDir({ dataDir: flags.data ?? config.data, storage: config.storage }, 'retention', (stores) =>
        applyRetention(stores, config.retention.rules, {
          dryRun: flags.dryRun ?? false,
          onRemoved: (kind, e) => process.stdout.write(`${verb} ${kind} ${e.repo}${e.tag !== undefined ? `:${e.tag}` : ''}@${e.digest}\n`),
        }),
      );
      const tail = report.tags.length + report.manifests.length > 0 ? '; run `bosun registry gc` to free the space' : '';
      process.stdout.write(`retention: ${verb} ${report.tags.length} tags, ${report.manifests.length} untagged manifests${tail}\n`);
    });
}
