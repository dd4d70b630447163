import type { Command } from 'commander';
import { loadRegistryConfig } from '../../registry/config.js';
import type { RegistryTarget } from '../../registry/registry-target.js';

/** `--data` and `--config`, as every offline registry subcommand takes them. */
export interface TargetFlags {
  data?: string;
  config?: string;
}

/**
 * The registry a subcommand works on: `--data` (else registry.yaml's `data`, else
 * ./registry-data) and, with `--config`, registry.yaml's storage section, so the command
 * opens the stores the server uses (PostgreSQL included).
 */
export async function registryTarget(flags: TargetFlags): Promise<RegistryTarget> {
  const config = flags.config !== undefined ? await loadRegistryConfig(flags.config) : undefined;
  return { dataDir: flags.data ?? config?.data ?? './registry-data', ...(config ? { storage: config.storage } : {}) };
}

/** Adds `--data` and `--config` to a subcommand. */
export function targetOptions(cmd: Command, what: string): Command {
  return cmd
    .option('--data <dir>', `registry data directory, whose meta.db holds ${what} (default: registry.yaml's data, else ./registry-data)`)
    .option('--config <file>', `registry.yaml: its storage section says where ${what} live (e.g. PostgreSQL)`);
}
