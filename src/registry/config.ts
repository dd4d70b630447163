import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { BosunError } from '../errors.js';
import { proxyConfigSchema } from './proxy/config.js';
import { storageSchema } from './storage-config.js';
import { isPattern } from './access/patterns.js';
import { newRuleSchema } from './immutable-tags/rules.js';

/** A token bucket: `rate` requests per second sustained, `burst` at once. */
const bucketSchema = z
  .object({
    rate: z.number().positive().max(1_000_000),
    burst: z.number().int().min(1).max(1_000_000),
  })
  .strict();
import { gcConfigSchema, retentionConfigSchema } from './lifecycle/config-schema.js';
import { severityLevels } from '../vuln/match/finding.js';

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
    /** Pull-through cache: upstream registries mirrored under a prefix (docs/registry.md). */
    proxy: proxyConfigSchema,
    /** Blob and metadata drivers (storage-config.ts); default fs + SQLite under `data`. */
    storage: storageSchema,
    /** Access control (docs/registry.md, "Authentication and authorization"). */
    auth: z
      .object({
        /** `auto`: on as soon as one user or robot exists (or adminPasswordFile creates one). */
        enabled: z.union([z.boolean(), z.literal('auto')]).default('auto'),
        /** Token endpoint URL in challenges; default `<scheme>://<Host>/token` of each request. */
        realm: z.string().regex(/^https?:\/\/[^\s"]{1,500}$/, 'want an http(s) URL').optional(),
        /** The `service` in challenges and the `aud` of tokens. */
        service: z.string().regex(/^[A-Za-z0-9._:/-]{1,200}$/).default('bosun-registry'),
        /** The `iss` of tokens. */
        issuer: z.string().regex(/^[A-Za-z0-9._:/-]{1,200}$/).default('bosun-registry'),
        tokenTtlSeconds: z.number().int().min(60).max(86400).default(300),
        /** Repository patterns (`*`, `**`) anyone may pull without credentials. */
        anonymousPull: z.array(z.string().refine(isPattern, 'want a repository pattern such as team/** or **')).max(1000).default([]),
        /** Quick start: creates user `admin` with this file's password on first start (generated when missing). */
        adminPasswordFile: z.string().optional(),
      })
      .strict()
      .prefault({}),
    /** Immutable tag rules (besides those stored with `bosun registry rules add`). */
    immutableTags: z.array(newRuleSchema).max(1000).default([]),
    /** Per-client token-bucket budgets, separate for reads and writes; off by default. */
    rateLimit: z
      .object({
        enabled: z.boolean().default(false),
        read: bucketSchema.prefault({ rate: 50, burst: 200 }),
        write: bucketSchema.prefault({ rate: 10, burst: 50 }),
        maxClients: z.number().int().min(2).max(1_000_000).default(10_000),
      })
      .strict()
      .prefault({}),
    /** HTTPS from PEM files, reloaded when they change; plain HTTP when absent. */
    tls: z
      .object({
        cert: z.string().min(1),
        key: z.string().min(1),
        /** Re-read the files at least this often, whatever fs.watch reports. */
        pollSeconds: z.number().min(1).max(3600).default(10),
      })
      .strict()
      .optional(),
    /** Online garbage collection (lifecycle/config-schema.ts). */
    gc: gcConfigSchema.prefault({}),
    /** Tag retention rules (lifecycle/config-schema.ts). */
    retention: retentionConfigSchema.prefault({}),
    /** Hash-chained audit log in meta.db (src/registry/audit); on by default. */
    audit: z
      .object({
        enabled: z.boolean().default(true),
        flushMs: z.number().int().min(1).max(60_000).default(200),
        batchSize: z.number().int().min(1).max(10_000).default(500),
        maxPending: z.number().int().min(1).max(10_000_000).default(100_000),
      })
      .strict()
      .prefault({}),
    /** CloudEvents POSTed on push, delete and scan completion (src/registry/webhooks). */
    webhooks: z
      .array(
        z
          .object({
            url: z.url({ protocol: /^https?$/ }),
            events: z.array(z.enum(['push', 'delete', 'scan'])).min(1).default(['push', 'delete', 'scan']),
            /** File holding the HMAC-SHA256 key; the signature goes in `X-Bosun-Signature-256`. */
            secretFile: z.string().optional(),
            /** Seconds per delivery attempt. */
            timeout: z.number().positive().max(120).default(5),
            /** Attempts per event, the first included. */
            maxAttempts: z.number().int().min(1).max(10).default(5),
          })
          .strict(),
      )
      .max(32)
      .default([]),
    /** Prometheus text exposition (src/registry/metrics); off by default (docs/registry.md says why). */
    metrics: z
      .object({
        enabled: z.boolean().default(false),
        path: z.string().regex(/^\/[A-Za-z0-9._~/-]{0,200}$/).refine((p) => !p.startsWith('/v2'), 'must not be under /v2').default('/metrics'),
      })
      .strict()
      .prefault({}),
    /** SBOM + vulnerability scan of pushed images (src/registry/scan); off by default. */
    scan: z
      .object({
        enabled: z.boolean().default(false),
        /** Advisory database directory; default bosun's (`bosun db update`). */
        dbDir: z.string().optional(),
        /** Never update the advisory database from the network (scan with what is there). */
        offline: z.boolean().default(false),
        queueSize: z.number().int().min(1).max(100_000).default(100),
        concurrency: z.number().int().min(1).max(8).default(1),
        /** Seconds one scan may take. */
        timeout: z.number().positive().max(86_400).default(600),
        sbomFormat: z.enum(['cyclonedx-json', 'spdx-json']).default('cyclonedx-json'),
        /** Push the SBOM and the report as referrers of the image. */
        attach: z.boolean().default(true),
        /** Refuse manifest GETs of images with findings at or above this severity. */
        blockPullsAbove: z.enum(severityLevels).optional(),
        /** With blockPullsAbove: what a GET of an image without a finished scan gets. */
        unscanned: z.enum(['allow', 'deny']).default('allow'),
      })
      .strict()
      .prefault({}),
    /**
     * A mount without `from` mounts from a repository holding the blob that the caller may
     * pull (spec: automatic content discovery; src/registry/cross-mount.ts). Off: a new upload session.
     */
    automaticCrossMount: z.boolean().default(true),
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
