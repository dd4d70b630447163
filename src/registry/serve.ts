import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { BosunError } from '../errors.js';
import { buildRegistryApp, type RegistryExtension } from './app.js';
import { defaultRegistryConfig, type RegistryConfig } from './config.js';
import { FsBlobStore } from './blob-store/fs.js';
import { SqliteMetaStore } from './meta-store/sqlite.js';
import { UploadSpool } from './upload-spool.js';
import { auditLog } from './audit/audit-log.js';
import { metricsEndpoint } from './metrics/metrics.js';
import { MetricsRegistry } from './metrics/metrics-registry.js';
import { scanOnPush } from './scan/scan-on-push.js';
import { webhooks } from './webhooks/webhooks.js';

export interface OpenRegistryOptions {
  /** The data directory (layout in blob-store/paths.ts); created if missing. */
  dataDir: string;
  /** Upload sessions untouched this long are removed on open (default 24 h). */
  staleUploadMs?: number;
  logger?: FastifyBaseLogger;
  /** registry.yaml's feature sections (auth, proxy, lifecycle, …); defaults when absent. */
  config?: RegistryConfig;
}

/**
 * The features a configuration turns on, in the order their hooks must run (access control
 * first). Each feature module exports a factory taking its config section.
 */
function extensionsFor(config: RegistryConfig, dataDir: string): RegistryExtension[] {
  // Shared by the features below: each registers its own metrics; /metrics renders them all.
  const metrics = new MetricsRegistry();
  return [
    auditLog(config.audit, { metrics, dataDir }),
    webhooks(config.webhooks, { metrics }),
    scanOnPush(config.scan, { metrics, dataDir }),
    metricsEndpoint(config.metrics, metrics),
  ];
}

export interface OpenedRegistry {
  app: FastifyInstance;
  /** Stale sessions and orphan files removed on open. */
  cleanedUploads: number;
  /** Closes the HTTP app, then the metadata database. */
  close(): Promise<void>;
}

/** Opens a registry on a data directory: fs blobs, SQLite metadata, stale uploads cleaned. */
export async function openRegistry(opts: OpenRegistryOptions): Promise<OpenedRegistry> {
  const staleMs = opts.staleUploadMs ?? 24 * 3600 * 1000;
  await mkdir(opts.dataDir, { recursive: true });
  const blobs = await new FsBlobStore(join(opts.dataDir, 'store')).open(staleMs);
  const spool = await new UploadSpool(join(opts.dataDir, 'uploads')).open();
  const meta = new SqliteMetaStore(join(opts.dataDir, 'meta.db'));
  const extensions = extensionsFor(opts.config ?? defaultRegistryConfig(), opts.dataDir);
  const { app, context } = await buildRegistryApp({ blobs, meta, spool, extensions, ...(opts.logger ? { logger: opts.logger } : {}) });
  const cleanedUploads = await context.uploads.cleanStale(staleMs);
  return {
    app,
    cleanedUploads,
    close: async () => {
      await app.close();
      await meta.close();
    },
  };
}

export interface ServeRegistryOptions extends OpenRegistryOptions {
  /** host:port to listen on; default 127.0.0.1:5000. */
  addr?: string;
}

/** Parses `host:port` or `[v6]:port`; throws INPUT_INVALID. */
export function parseAddr(addr: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(addr);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new BosunError('INPUT_INVALID', `invalid --addr "${addr}": want host:port, e.g. 127.0.0.1:5000`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

/**
 * Opens the registry and listens. Logs (warn) that authentication is not implemented, on
 * every start. Resolves once listening, with the bound address and a `close`.
 */
export async function serveRegistry(opts: ServeRegistryOptions): Promise<OpenedRegistry & { url: string }> {
  const { host, port } = parseAddr(opts.addr ?? '127.0.0.1:5000');
  const opened = await openRegistry(opts);
  const url = await opened.app.listen({ host, port });
  opened.app.log.warn(
    { url, dataDir: opts.dataDir },
    'bosun registry is listening WITHOUT AUTHENTICATION: anyone who can reach it can push, overwrite and delete; keep it on loopback',
  );
  return { ...opened, url };
}
