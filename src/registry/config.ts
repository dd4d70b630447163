import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { BosunError } from '../errors.js';
import { gcConfigSchema, retentionConfigSchema } from './lifecycle/config-schema.js';

// registry.yaml: one top-level key per feature. A feature adds its own section (a zod object
// with defaults) here and reads it from `RegistryConfig`; unknown keys are refused so a typo
// never silently disables a security setting.
const configSchema = z
  .object({
    /** host:port to listen on. */
    addr: z.string().default('127.0.0.1:5000'),
    /** The data directory: blobs, metadata, uploads. */
    data: z.string().default('./registry-data'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Upload sessions untouched this many hours are removed on start. */
    staleUploadHours: z.number().nonnegative().default(24),
    /** Online garbage collection (lifecycle/config-schema.ts). */
    gc: gcConfigSchema.prefault({}),
    /** Tag retention rules (lifecycle/config-schema.ts). */
    retention: retentionConfigSchema.prefault({}),
  })
  .strict();

export type RegistryConfig = z.infer<typeof configSchema>;

/** The configuration with every default applied (what a run without --config uses). */
export function defaultRegistryConfig(): RegistryConfig {
  return configSchema.parse({});
}

/** Validates a parsed config document; throws REGISTRY_CONFIG_INVALID naming the bad key. */
export function parseRegistryConfig(doc: unknown, source = 'registry config'): RegistryConfig {
  const parsed = configSchema.safeParse(doc ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  throw new BosunError('REGISTRY_CONFIG_INVALID', `${source}: ${where}: ${issue.message}`);
}

/** Reads and validates a registry.yaml (at most 1 MiB). */
export async function loadRegistryConfig(file: string): Promise<RegistryConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new BosunError('REGISTRY_CONFIG_INVALID', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (text.length > 1024 * 1024) throw new BosunError('REGISTRY_CONFIG_INVALID', `${file}: larger than 1 MiB`);
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new BosunError('REGISTRY_CONFIG_INVALID', `${file}: not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  return parseRegistryConfig(doc, file);
}
