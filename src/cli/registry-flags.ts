import type { Command } from 'commander';
import type { RemoteOptions } from '../oci/remote/index.js';

/** The registry flags the signing verbs share (they never pull layers, so no cache or platform). */
export interface RegistryFlags {
  insecure?: boolean;
  caFile?: string;
}

/** Adds `--insecure` and `--ca-file` to a command. */
export function addRegistryOptions(cmd: Command): Command {
  return cmd
    .option('--insecure', 'allow plain HTTP and unverified TLS for the registry')
    .option('--ca-file <pem>', 'extra CA certificates to trust for the registry');
}

/** Maps the shared registry flags onto `remote` options. */
export function registryOptions(flags: RegistryFlags): RemoteOptions {
  return { ...(flags.insecure ? { insecure: true } : {}), ...(flags.caFile ? { caFile: flags.caFile } : {}) };
}

/** Collects a repeatable option (`-a k=v -a k2=v2`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
