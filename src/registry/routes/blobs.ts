import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BosunError } from '../../errors.js';
import { readAll } from '../../oci/read-all.js';
import type { Digest } from '../../oci/digest.js';
import { blobKey } from '../blob-store/paths.js';
import type { RegistryContext } from '../context.js';
import { repoOf } from '../http.js';
import { parseDigestParam } from '../names.js';
import { parseRangeHeader } from '../range.js';

interface DigestParams {
  digest: string;
}

async function linkedSize(ctx: RegistryContext, repo: string, digest: Digest): Promise<number> {
  const link = await ctx.meta.blobLink(repo, digest);
  if (!link) throw new BosunError('REGISTRY_SERVE_BLOB_UNKNOWN', `blob ${digest} is not in "${repo}"`);
  return link.size;
}

function rangeError(reply: FastifyReply, size: number, err: unknown): never {
  if (err instanceof BosunError && err.code === 'REGISTRY_SERVE_RANGE_INVALID') reply.header('content-range', `bytes */${size}`);
  throw err;
}

/** Blobs: GET/HEAD with Range support, DELETE (spec: end-2, end-10). */
export async function blobRoutes(app: FastifyInstance, opts: { ctx: RegistryContext }): Promise<void> {
  const { ctx } = opts;

  async function get(request: FastifyRequest<{ Params: DigestParams }>, reply: FastifyReply) {
    const repo = repoOf(request);
    const digest = parseDigestParam(request.params.digest);
    const size = await linkedSize(ctx, repo, digest);
    reply.header('docker-content-digest', digest).header('accept-ranges', 'bytes').type('application/octet-stream');
    let range;
    try {
      range = parseRangeHeader(request.headers.range, size);
    } catch (err) {
      rangeError(reply, size, err);
    }
    if (request.method === 'HEAD') {
      if (range) reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`);
      return reply.header('content-length', range ? range.end - range.start + 1 : size).send();
    }
    // Whole large blobs may go straight from object storage; ranges and small blobs (served
    // from memory) are answered here, where a redirect would cost more than it saves.
    if (!range && size > ctx.cache.maxEntryBytes && ctx.blobs.redirectUrl) {
      const url = await ctx.blobs.redirectUrl(blobKey(digest));
      if (url !== undefined) return reply.code(307).header('location', url).header('content-length', 0).send();
    }
    if (range) {
      reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`);
      reply.header('content-length', range.end - range.start + 1);
      return reply.send(await ctx.blobs.read(blobKey(digest), range));
    }
    if (size <= ctx.cache.maxEntryBytes) {
      let bytes = ctx.cache.get(digest);
      if (!bytes) {
        bytes = await readAll(await ctx.blobs.read(blobKey(digest)), ctx.cache.maxEntryBytes, `blob ${digest}`);
        ctx.cache.set(digest, bytes);
      }
      return reply.send(bytes);
    }
    return reply.header('content-length', size).send(await ctx.blobs.read(blobKey(digest)));
  }

  app.route<{ Params: DigestParams }>({ method: ['GET', 'HEAD'], url: '/v2/_/blobs/:digest', handler: get });

  app.delete<{ Params: DigestParams }>('/v2/_/blobs/:digest', async (request, reply) => {
    const repo = repoOf(request);
    const digest = parseDigestParam(request.params.digest);
    // Only the repository's link goes; the content stays for other repositories until GC.
    if (!(await ctx.meta.unlinkBlob(repo, digest))) throw new BosunError('REGISTRY_SERVE_BLOB_UNKNOWN', `blob ${digest} is not in "${repo}"`);
    return reply.code(202).header('content-length', 0).send();
  });
}
