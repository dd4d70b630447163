import type { Command } from 'commander';
import { runAudit } from '../../registry/audit/index.js';

interface AuditFlags {
  data: string;
  since?: string;
  verify?: boolean;
  format: string;
}

/** `bosun registry audit`: export or verify the hash-chained audit log. */
export function registerRegistryAudit(registry: Command): void {
  registry
    .command('audit')
    .description('export the registry audit log, or verify its hash chain (exit 2 at the first broken entry)')
    .option('--data <dir>', 'registry data directory (holding meta.db)', './registry-data')
    .option('--since <time>', 'export only entries at or after this time (e.g. 2026-01-31T00:00:00Z)')
    .option('--verify', 'verify the whole chain instead of exporting')
    .option('--format <format>', 'json, jsonl or table', 'table')
    .action(async (flags: AuditFlags) => {
      await runAudit({ dataDir: flags.data, format: flags.format, out: process.stdout, ...(flags.since !== undefined ? { since: flags.since } : {}), ...(flags.verify ? { verify: true } : {}) });
    });
}
