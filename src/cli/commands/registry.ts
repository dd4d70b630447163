import type { Command } from 'commander';
import { registerRegistryAudit } from '../registry/audit.js';
import { registerRegistryServe } from '../registry/serve.js';

// One file per `bosun registry <sub>` in src/cli/registry/; add a subcommand by adding its
// registrar here.
const subcommands: ((registry: Command) => void)[] = [registerRegistryServe, registerRegistryAudit];

/** `bosun registry …`: run and administer bosun's OCI registry. */
export function registerRegistry(program: Command): void {
  const registry = program.command('registry').description('run and administer an OCI distribution-spec registry');
  for (const register of subcommands) register(registry);
}
