import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { BlobStore } from './blob-store/blob-store.js';
import { ContentCache } from './content-cache.js';
import type { MountCheck, RegistryContext } from './context.js';
import { toWireError } from './errors.js';
import { RegistryEvents } from './events.js';
import { badPathCode, rewriteRegistryUrl } from './http.js';
import type { MetaStore } from './meta-store/meta-store.js';
import { baseRoutes } from './routes/base.js';
import { blobRoutes } from './routes/blobs.js';
import { catalogRoutes } from './routes/catalog.js';
import { manifestRoutes } from './routes/manifests.js';
import { referrerRoutes } from './routes/referrers.js';
import { tagRoutes } from './routes/tags.js';
import { uploadRoutes } from './routes/uploads.js';
import { UploadSessions } from './upload-sessions.js';
import type { UploadSpool } from './upload-spool.js';

export interface RegistryAppOptions {
  blobs: BlobStore;
  meta: MetaStore;
  spool: UploadSpool;
  /** Errors answered with 5xx are logged here; nothing is logged per request. */
  logger?: FastifyBaseLogger;
  /** Read-access check on the source of a cross-repository mount; default: allowed. */
  mayMountFrom?: MountCheck;
  /** Mount without `from` from any repository the caller may pull (default true; cross-mount.ts). */
  automaticCrossMount?: boolean;
  /** Bytes of manifests and small blobs kept in memory (default 64 MiB). */
  cacheBytes?: number;
  /** Blobs up to this size are served from the cache (default 64 KiB). */
  cacheEntryBytes?: number;
  /** Where route events go; a fresh fan-out (listener errors logged) by default. */
  events?: RegistryEvents;
  /**
   * Features (auth, proxy, audit, metrics, …), applied in order at the root before the
   * distribution routes, so their hooks run for every route and their own routes sit beside
   * them. Cleanup goes in an `onClose` hook.
   */
  extensions?: RegistryExtension[];
  /** Serve HTTPS with this PEM certificate and key (see tls/); plain HTTP when absent. */
  https?: { cert: Buffer; key: Buffer };
}

/** A feature plugged into the registry app; see `RegistryAppOptions.extensions`. */
export type RegistryExtension = (app: FastifyInstance, ctx: RegistryContext) => Promise<void> | void;

function answerBadPath(err: Error, request: FastifyRequest, reply: FastifyReply): void {
  const body = { errors: [{ code: badPathCode(request.url), message: err.message.slice(0, 300), detail: null }] };
  void reply.code(400).type('application/json').send(body);
}

/**
 * The registry's HTTP app: distribution-spec v1.1 routes over the given stores, one plugin per
 * resource. The caller owns the stores (and closes them after `app.close()`), and calls
 * `app.listen()` or `app.inject()`. Authentication is an extension (access/extension.ts).
 */
export async function buildRegistryApp(opts: RegistryAppOptions): Promise<{ app: FastifyInstance; context: RegistryContext }> {
  const app = Fastify({
    rewriteUrl: rewriteRegistryUrl,
    ...(opts.logger ? { loggerInstance: opts.logger } : {}),
    logController: new LogController({ disableRequestLogging: true }),
    // sha512 digests in the path are 135 characters; find-my-way's default cap is 100.
    routerOptions: { maxParamLength: 256 },
    return503OnClosing: false,
    // The generic reply type of this hook does not accept a plain status; the cast is safe.
    frameworkErrors: (err, request, reply) => answerBadPath(err, request, reply as unknown as FastifyReply),
    // The https server is a subclass of the http one; routes never touch the server object.
    ...((opts.https ? { https: opts.https } : {}) as object),
  });
  const ctx: RegistryContext = {
    blobs: opts.blobs,
    meta: opts.meta,
    uploads: new UploadSessions(opts.meta, opts.blobs, opts.spool),
    cache: new ContentCache(opts.cacheBytes ?? 64 * 1024 * 1024, opts.cacheEntryBytes ?? 64 * 1024),
    mayMountFrom: opts.mayMountFrom ?? (async () => true),
    automaticCrossMount: opts.automaticCrossMount ?? true,
    isRepositoryVisible: () => true,
    events: opts.events ?? new RegistryEvents((err, event) => app.log.error({ err, event: event.type }, 'registry event listener failed')),
  };
  // Bodies stay unread streams: uploads stream them to disk, manifests read them bounded.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  app.setErrorHandler((err, request, reply) => {
    const wire = toWireError(err);
    if (wire.status >= 500) request.log.error({ err, url: request.url }, 'registry request failed');
    return reply.code(wire.status).type('application/json').send(wire.body);
  });
  app.setNotFoundHandler((request, reply) => {
    const body = { errors: [{ code: 'UNSUPPORTED', message: `no such endpoint: ${request.method} ${request.url.slice(0, 200)}`, detail: null }] };
    return reply.code(404).type('application/json').send(body);
  });
  for (const extend of opts.extensions ?? []) await extend(app, ctx);
  for (const plugin of [baseRoutes, catalogRoutes, blobRoutes, uploadRoutes, manifestRoutes, tagRoutes, referrerRoutes]) {
    await app.register(plugin, { ctx });
  }
  return { app, context: ctx };
}
