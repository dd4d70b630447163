import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BosunError } from '../../errors.js';
import type { RegistryExtension } from '../app.js';
import type { RegistryContext } from '../context.js';
import { repoOf } from '../http.js';
import { parseDigestParam, parseReadReference } from '../names.js';
import { BlobCache } from './blobs.js';
import type { ProxyConfig, ProxyEntry } from './config.js';
import { ManifestCache } from './manifests.js';
import { Upstream } from './upstream.js';

/** One configured prefix with its upstream and caches. */
interface Mirror {
  upstream: Upstream;
  manifests: ManifestCache;
  blobs: BlobCache;
}

const readMethods = new Set(['GET', 'HEAD']);

function mirrorOf(mirrors: readonly Mirror[], repo: string): Mirror | undefined {
  return mirrors.find((m) => repo.startsWith(`${m.upstream.prefix}/`));
}

async function answerBlob(mirror: Mirror, request: FastifyRequest, reply: FastifyReply, repo: string): Promise<FastifyReply | undefined> {
  const digest = parseDigestParam((request.params as { digest?: string }).digest);
  const isHead = request.method === 'HEAD';
  const plan = await mirror.blobs.plan(repo, digest, { isHead, wantsRange: request.headers.range !== undefined });
  if (plan.kind === 'local') return undefined;
  reply.header('docker-content-digest', digest).type('application/octet-stream');
  if (plan.kind === 'head') {
    if (plan.size !== undefined) reply.header('content-length', plan.size);
    return reply.send();
  }
  // Content-Length only when it is positive: with chunked encoding (or bytes still owed) a
  // client can always tell a body cut short by a failed verification from a complete one.
  if (plan.fill.size !== undefined && plan.fill.size > 0) reply.header('content-length', plan.fill.size);
  return reply.send(plan.fill.stream);
}

/**
 * The `preHandler` of the pull-through cache. For repositories under a prefix: manifest
 * GET/HEAD make the manifest local and let the ordinary route answer; blob GET/HEAD either
 * let the route serve a local blob or answer from upstream while filling; every write is
 * refused (REGISTRY_SERVE_UNSUPPORTED). Other repositories are untouched.
 */
function proxyHook(mirrors: readonly Mirror[]) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const route = request.routeOptions.url;
    if (!route?.startsWith('/v2/_/')) return undefined;
    const repo = repoOf(request);
    const mirror = mirrorOf(mirrors, repo);
    if (!mirror) return undefined;
    if (!readMethods.has(request.method)) {
      throw new BosunError('REGISTRY_SERVE_UNSUPPORTED', `"${repo}" is a read-only pull-through cache of ${mirror.upstream.entry.upstream}: ${request.method} is not allowed`);
    }
    if (route === '/v2/_/manifests/:reference') {
      await mirror.manifests.ensure(repo, parseReadReference((request.params as { reference: string }).reference));
      return undefined;
    }
    if (route === '/v2/_/blobs/:digest') return answerBlob(mirror, request, reply, repo);
    return undefined;
  };
}

/**
 * The pull-through cache as a registry extension: repositories `<prefix>/<x>` mirror the
 * upstream's `<x>` for each configured entry (see docs/registry.md, "Pull-through cache").
 * Reads `passwordFile`s when applied; throws REGISTRY_CONFIG_INVALID when one is unreadable.
 */
export function proxyExtension(config: ProxyConfig): RegistryExtension {
  return async (app: FastifyInstance, ctx: RegistryContext) => {
    const mirrors: Mirror[] = [];
    for (const entry of config) mirrors.push(await openMirror(entry, app, ctx));
    app.addHook('preHandler', proxyHook(mirrors));
  };
}

async function openMirror(entry: ProxyEntry, app: FastifyInstance, ctx: RegistryContext): Promise<Mirror> {
  const log = app.log.child({ proxy: entry.prefix });
  const upstream = await Upstream.open(entry, log);
  return { upstream, manifests: new ManifestCache(ctx, upstream, log), blobs: new BlobCache(ctx, upstream, log) };
}
