import type { Command } from 'commander';
import { runAudit } from '../../registry/audit/index.js';
import { registryTarget, targetOptions, type TargetFlags } from './target.js';

interface AuditFlags extends TargetFlags {
  since?: string;
  verify?: boolean;
  format: string;
}

/** `bosun registry audit`: export or verify the hash-chained audit log. */
export function registerRegistryAudit(registry: Command): void {
  targetOptions(registry.command('audit'), 'the audit log')
    .description('export the registry audit log, or verify its hash chain (exit 2 at the first broken entry)')
    .option('--since <time>', 'export only entries at or after this time (e.g. 2026-01-31T00:00:00Z)')
    .option('--verify', 'verify the whole chain instead of exporting')
    .option('--format <format>', 'json, jsonl or table', 'table')
    .action(async (flags: AuditFlags) => {
      const { dataDir, storage } = await registryTarget(flags);
      await runAudit({ dataDir, ...(storage ? { storage } : {}), format: flags.format, out: process.stdout, ...(flags.since !== undefined ? { since: flags.since } : {}), ...(flags.verify ? { verify: true } : {}) });
    });
}
