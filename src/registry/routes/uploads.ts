import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Digest } from '../../oci/digest.js';
import { putVerified } from '../blob-writer.js';
import type { RegistryContext } from '../context.js';
import { mountBlob } from '../cross-mount.js';
import { contentGuard } from '../lifecycle/content-guard.js';
import { bodyOf, contentLength, hasBody, queryParam, repoOf, uploadRange } from '../http.js';
import { parseDigestParam, parseName, parseUploadId } from '../names.js';
import { parseContentRange } from '../range.js';
import type { ChunkInput, UploadSessions } from '../upload-sessions.js';
import type { UploadRecord } from '../meta-store/meta-store.js';

interface UploadParams {
  uuid: string;
}

function created(reply: FastifyReply, repo: string, digest: Digest): FastifyReply {
  return reply
    .code(201)
    .header('location', `/v2/${repo}/blobs/${digest}`)
    .header('docker-content-digest', digest)
    .header('content-length', 0)
    .send();
}

function inProgress(reply: FastifyReply, u: UploadRecord, status: number): FastifyReply {
  return reply
    .code(status)
    .header('location', `/v2/${u.repo}/blobs/uploads/${u.id}`)
    .header('docker-upload-uuid', u.id)
    .header('range', uploadRange(u.size))
    .header('content-length', 0)
    .send();
}

function chunkOf(request: FastifyRequest): ChunkInput {
  const input: ChunkInput = { body: bodyOf(request) };
  const range = parseContentRange(request.headers['content-range']);
  const length = contentLength(request);
  if (range) input.range = range;
  if (length !== undefined) input.length = length;
  return input;
}

async function session(uploads: UploadSessions, request: FastifyRequest<{ Params: UploadParams }>): Promise<UploadRecord> {
  const repo = repoOf(request);
  return uploads.get(repo, parseUploadId(request.params.uuid));
}

/**
 * Upload sessions (spec: end-4a/4b POST, end-5 PATCH, end-6 PUT, end-11 mount, end-13 GET,
 * and DELETE to cancel). The upload id in a URL is checked against the repository too.
 */
export async function uploadRoutes(app: FastifyInstance, opts: { ctx: RegistryContext }): Promise<void> {
  const { ctx } = opts;

  app.post('/v2/_/blobs/uploads/', async (request, reply) => {
    const repo = repoOf(request);
    const mount = queryParam(request, 'mount');
    const from = queryParam(request, 'from');
    // With automatic mounting off, a mount without `from` is an ordinary POST (as before it existed).
    if (mount !== undefined && (from !== undefined || ctx.automaticCrossMount)) {
      const digest = parseDigestParam(mount);
      const source = from === undefined ? {} : { from: parseName(from) };
      if (await mountBlob(ctx, request, { repo, digest, ...source })) return created(reply, repo, digest);
    }
    const single = queryParam(request, 'digest');
    if (single !== undefined) {
      const digest = parseDigestParam(single);
      await contentGuard(ctx.blobs).use(digest, async () => {
        const size = await putVerified(ctx.blobs, digest, bodyOf(request), contentLength(request));
        await ctx.meta.linkBlob(repo, digest, size);
      });
      return created(reply, repo, digest);
    }
    return inProgress(reply, await ctx.uploads.start(repo), 202);
  });

  app.get<{ Params: UploadParams }>('/v2/_/blobs/uploads/:uuid', async (request, reply) =>
    inProgress(reply, await session(ctx.uploads, request), 204),
  );

  app.patch<{ Params: UploadParams }>('/v2/_/blobs/uploads/:uuid', async (request, reply) => {
    const u = await session(ctx.uploads, request);
    return inProgress(reply, await ctx.uploads.append(u, chunkOf(request)), 202);
  });

  app.put<{ Params: UploadParams }>('/v2/_/blobs/uploads/:uuid', async (request, reply) => {
    const u = await session(ctx.uploads, request);
    const digest = parseDigestParam(queryParam(request, 'digest'));
    await ctx.uploads.finish(u, digest, hasBody(request) ? chunkOf(request) : undefined);
    return created(reply, u.repo, digest);
  });

  app.delete<{ Params: UploadParams }>('/v2/_/blobs/uploads/:uuid', async (request, reply) => {
    const u = await session(ctx.uploads, request);
    await ctx.uploads.cancel(u.id);
    return reply.code(204).send();
  });
}
