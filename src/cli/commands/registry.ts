import type { Command } from 'commander';
import { registerRegistryRules } from '../registry/rules.js';
import { registerRegistryGc } from '../registry/gc.js';
import { registerRegistryRetention } from '../registry/retention.js';
import { registerRegistryAudit } from '../registry/audit.js';
import { registerRegistryServe } from '../registry/serve.js';
import { registerRegistryRobots } from '../registry/robots.js';
import { registerRegistryUsers } from '../registry/users.js';

// One file per `bosun registry <sub>` in src/cli/registry/; add a subcommand by adding its
// registrar here.
const subcommands: ((registry: Command) => void)[] = [
  registerRegistryServe, registerRegistryUsers, registerRegistryRobots, registerRegistryRules, registerRegistryGc, registerRegistryRetention, registerRegistryAudit,
];

/** `bosun registry …`: run and administer bosun's OCI registry. */
export function registerRegistry(program: Command): void {
  const registry = program.command('registry').description('run and administer an OCI distribution-spec registry');
  for (const register of subcommands) register(registry);
}
