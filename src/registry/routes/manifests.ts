import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BosunError } from '../../errors.js';
import { limits } from '../../oci/limits.js';
import { readAll } from '../../oci/read-all.js';
import { blobKey } from '../blob-store/paths.js';
import type { RegistryContext } from '../context.js';
import { actorOf } from '../events.js';
import { contentLength, readBody, repoOf } from '../http.js';
import { pushManifest } from '../manifest-push.js';
import type { ManifestRecord } from '../meta-store/meta-store.js';
import { parseReadReference, parseReference, type Reference } from '../names.js';

interface RefParams {
  reference: string;
}

async function lookup(ctx: RegistryContext, repo: string, ref: Reference): Promise<ManifestRecord> {
  const record = ref.kind === 'tag' ? await ctx.meta.resolveTag(repo, ref.tag) : await ctx.meta.getManifest(repo, ref.digest);
  if (!record) {
    const what = ref.kind === 'tag' ? ref.tag : ref.digest;
    throw new BosunError('REGISTRY_SERVE_MANIFEST_UNKNOWN', `no manifest "${what}" in "${repo}"`);
  }
  return record;
}

async function bytesOf(ctx: RegistryContext, record: ManifestRecord): Promise<Buffer> {
  const cached = ctx.cache.get(record.digest);
  if (cached) return cached;
  const raw = await readAll(await ctx.blobs.read(blobKey(record.digest)), limits.manifestBytes, `manifest ${record.digest}`);
  ctx.cache.set(record.digest, raw);
  return raw;
}

/** Manifests: GET/HEAD/PUT/DELETE by tag or digest (spec: end-3, end-7, end-9). */
export async function manifestRoutes(app: FastifyInstance, opts: { ctx: RegistryContext }): Promise<void> {
  const { ctx } = opts;

  async function get(request: FastifyRequest<{ Params: RefParams }>, reply: FastifyReply) {
    const repo = repoOf(request);
    const ref = parseReadReference(request.params.reference);
    const record = await lookup(ctx, repo, ref);
    reply.header('docker-content-digest', record.digest).header('content-type', record.mediaType);
    if (request.method === 'HEAD') return reply.header('content-length', record.size).send();
    const raw = await bytesOf(ctx, record);
    const tag = ref.kind === 'tag' ? { tag: ref.tag } : {};
    ctx.events.emit({ type: 'pull', actor: actorOf(request), repo, digest: record.digest, mediaType: record.mediaType, ...tag });
    return reply.send(raw);
  }

  app.route<{ Params: RefParams }>({ method: ['GET', 'HEAD'], url: '/v2/_/manifests/:reference', handler: get });

  app.put<{ Params: RefParams }>('/v2/_/manifests/:reference', async (request, reply) => {
    const repo = repoOf(request);
    const reference = parseReference(request.params.reference);
    const declared = contentLength(request);
    if (declared !== undefined && declared > limits.manifestBytes) {
      throw new BosunError('LIMIT_EXCEEDED', `manifest of ${declared} bytes is over the ${limits.manifestBytes}-byte limit`);
    }
    const raw = await readBody(request, limits.manifestBytes, `manifest for "${repo}"`);
    const contentType = request.headers['content-type']?.split(';')[0]?.trim();
    const record = await pushManifest(ctx, { repo, reference, raw, ...(contentType ? { contentType } : {}) });
    if (record.subject) reply.header('oci-subject', record.subject);
    const tag = reference.kind === 'tag' ? { tag: reference.tag } : {};
    const subject = record.subject ? { subject: record.subject } : {};
    ctx.events.emit({ type: 'push', actor: actorOf(request), repo, digest: record.digest, mediaType: record.mediaType, size: record.size, ...tag, ...subject });
    return reply
      .code(201)
      .header('location', `/v2/${repo}/manifests/${record.digest}`)
      .header('docker-content-digest', record.digest)
      .header('content-length', 0)
      .send();
  });

  app.delete<{ Params: RefParams }>('/v2/_/manifests/:reference', async (request, reply) => {
    const repo = repoOf(request);
    const ref = parseReference(request.params.reference);
    const gone = ref.kind === 'tag' ? await ctx.meta.deleteTag(repo, ref.tag) : await ctx.meta.deleteManifest(repo, ref.digest);
    if (!gone) throw new BosunError('REGISTRY_SERVE_MANIFEST_UNKNOWN', `no manifest "${request.params.reference}" in "${repo}"`);
    ctx.events.emit({ type: 'delete', actor: actorOf(request), repo, ...(ref.kind === 'tag' ? { tag: ref.tag } : { digest: ref.digest }) });
    return reply.code(202).header('content-length', 0).send();
  });
}
