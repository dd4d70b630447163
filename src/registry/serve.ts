import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { BosunError } from '../errors.js';
import { accessExtension } from './access/extension.js';
import { buildRegistryApp, type RegistryExtension } from './app.js';
import { defaultRegistryConfig, type RegistryConfig } from './config.js';
import { openFeatureStores, type FeatureStores } from './feature-stores.js';
import { immutableTags } from './immutable-tags/extension.js';
import { lifecycleExtension } from './lifecycle/extension.js';
import { proxyExtension } from './proxy/proxy.js';
import { rateLimit } from './rate-limit/extension.js';
import { openStorage } from './storage.js';
import { tlsReload } from './tls/extension.js';
import { loadTlsPair, type TlsPair } from './tls/pair.js';
import { UploadSpool } from './upload-spool.js';
import { auditLog } from './audit/audit-log.js';
import { metricsEndpoint } from './metrics/metrics.js';
import { MetricsRegistry } from './metrics/metrics-registry.js';
import { scanOnPush } from './scan/scan-on-push.js';
import { webhooks } from './webhooks/webhooks.js';

export interface OpenRegistryOptions {
  /**
   * The data directory (layout in blob-store/paths.ts); created if missing. It always holds
   * the upload spool; blobs and metadata too unless `config.storage` puts them elsewhere.
   */
  dataDir: string;
  /** Upload sessions untouched this long are removed on open (default 24 h). */
  staleUploadMs?: number;
  logger?: FastifyBaseLogger;
  /** registry.yaml's feature sections (auth, proxy, lifecycle, …); defaults when absent. */
  config?: RegistryConfig;
}

/** What feature factories may need besides their config section. */
interface ExtensionEnv {
  /** Accounts, rules, audit log and scan results, in the metadata's database. */
  stores: FeatureStores;
  /** The TLS pair the server starts with, when `config.tls` is set. */
  tls?: TlsPair;
}

/**
 * The features a configuration turns on, in the order their hooks must run (access control
 * first). Each feature module exports a factory taking its config section.
 */
function extensionsFor(config: RegistryConfig, env: ExtensionEnv): RegistryExtension[] {
  // Access control first: it names the caller (onRequest) before the rate limiter keys on it,
  // and its gate runs before the proxy answers in preHandler.
  const { stores } = env;
  const list: RegistryExtension[] = [accessExtension(config.auth, { store: stores.access, key: () => stores.signingKey() })];
  if (config.rateLimit.enabled) list.push(rateLimit(config.rateLimit));
  list.push(immutableTags({ declared: config.immutableTags, store: stores.rules }));
  // Shared by the features below: each registers its own metrics; /metrics renders them all.
  const metrics = new MetricsRegistry();
  list.push(
    auditLog(config.audit, { metrics, store: stores.audit }),
    webhooks(config.webhooks, { metrics }),
    scanOnPush(config.scan, { metrics, store: stores.scans }),
    metricsEndpoint(config.metrics, metrics),
  );
  if (config.proxy.length > 0) list.push(proxyExtension(config.proxy));
  if (config.tls && env.tls) {
    list.push(tlsReload({ certFile: config.tls.cert, keyFile: config.tls.key, current: env.tls, pollMs: config.tls.pollSeconds * 1000 }));
  }
  list.push(lifecycleExtension(config));
  return list;
}

export interface OpenedRegistry {
  app: FastifyInstance;
  /** Stale sessions and orphan files removed on open. */
  cleanedUploads: number;
  /** Closes the HTTP app, then the metadata database. */
  close(): Promise<void>;
}

/**
 * Opens a registry on a data directory with the stores `config.storage` names (default: fs
 * blobs and SQLite metadata in the data directory; accounts, rules, audit and scans live in
 * the metadata's database), stale uploads cleaned.
 */
export async function openRegistry(opts: OpenRegistryOptions): Promise<OpenedRegistry> {
  const staleMs = opts.staleUploadMs ?? 24 * 3600 * 1000;
  const config = opts.config ?? defaultRegistryConfig();
  await mkdir(opts.dataDir, { recursive: true });
  const spool = await new UploadSpool(join(opts.dataDir, 'uploads')).open();
  const logger = opts.logger;
  const tls = config.tls ? await loadTlsPair(config.tls.cert, config.tls.key) : undefined;
  const storage = await openStorage(config.storage, {
    dataDir: opts.dataDir,
    staleMs,
    ...(logger ? { onIdleError: (err: Error) => logger.warn({ err }, 'registry metadata connection failed while idle') } : {}),
  });
  let stores: FeatureStores | undefined;
  try {
    stores = openFeatureStores(storage.meta);
    const extensions = extensionsFor(config, { stores, ...(tls ? { tls } : {}) });
    const { app, context } = await buildRegistryApp({ blobs: storage.blobs, meta: storage.meta, spool, extensions, automaticCrossMount: config.automaticCrossMount, ...(tls ? { https: tls } : {}), ...(logger ? { logger } : {}) });
    const cleanedUploads = await context.uploads.cleanStale(staleMs);
    const opened = stores;
    return {
      app,
      cleanedUploads,
      // The app first: its onClose hooks flush the audit log into the feature stores.
      close: async () => {
        await app.close();
        await opened.close();
        await storage.close();
      },
    };
  } catch (err) {
    await stores?.close();
    await storage.close();
    throw err;
  }
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
 * Opens the registry and listens. Resolves once listening, with the bound address and a
 * `close`. Access control logs (warn) on every start when it is off.
 */
export async function serveRegistry(opts: ServeRegistryOptions): Promise<OpenedRegistry & { url: string }> {
  const { host, port } = parseAddr(opts.addr ?? '127.0.0.1:5000');
  const opened = await openRegistry(opts);
  const url = await opened.app.listen({ host, port });
  return { ...opened, url };
}
