import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BosunError } from '../../errors.js';
import { readAll } from '../../oci/read-all.js';
import type { Digest } from '../../oci/digest.js';
import { pumpBlob } from '../blob-send.js';
import type { ByteRange } from '../blob-store/blob-store.js';
import { blobKey } from '../blob-store/paths.js';
import { BufferPool } from '../buffer-pool.js';
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

/** A small blob's bytes, from the content cache or read into it. */
async function cachedBlob(ctx: RegistryContext, digest: Digest): Promise<Buffer> {
  let bytes = ctx.cache.get(digest);
  if (!bytes) {
    bytes = await readAll(await ctx.blobs.read(blobKey(digest)), ctx.cache.maxEntryBytes, `blob ${digest}`);
    ctx.cache.set(digest, bytes);
  }
  return bytes;
}

/** Blobs: GET/HEAD with Range support, DELETE (spec: end-2, end-10). */
export async function blobRoutes(app: FastifyInstance, opts: { ctx: RegistryContext }): Promise<void> {
  const { ctx } = opts;
  // 1 MiB chunks: a 10 MiB layer is ten reads and ten socket writes. Up to 16 idle buffers
  // (two per GET in flight) are kept between requests.
  const pool = new BufferPool(1 << 20, 16);

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
    if (range) reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`);
    else if (size <= ctx.cache.maxEntryBytes) return reply.send(await cachedBlob(ctx, digest));
    return sendStored(reply, digest, size, range);
  }

  /** The whole blob or `range` of it from the store; headers other than the length are set. */
  async function sendStored(reply: FastifyReply, digest: Digest, size: number, range: ByteRange | undefined) {
    const start = range?.start ?? 0;
    const length = range ? range.end - range.start + 1 : size;
    reply.header('content-length', length);
    if (!ctx.blobs.openReader) return reply.send(await ctx.blobs.read(blobKey(digest), range));
    const reader = await ctx.blobs.openReader(blobKey(digest));
    if (reader.size !== size) {
      await reader.close();
      throw new BosunError('REGISTRY_SERVE_STORE_FAILED', `stored blob ${digest} is ${reader.size} bytes; its link says ${size}`);
    }
    // From here the response is written by hand, because pumpBlob needs each chunk's write
    // callback to reuse its buffer: headers set so far are sent, onSend hooks do not run, and
    // onResponse hooks (metrics) still do, on 'finish'.
    reply.hijack();
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(name, value);
    reply.raw.writeHead(reply.statusCode);
    try {
      await pumpBlob(reply.raw, reader, start, length, pool);
    } catch (err) {
      reply.log.error({ err, digest }, 'blob GET failed after its headers were sent');
      reply.raw.destroy();
    } finally {
      await reader.close().catch((err: unknown) => reply.log.warn({ err, digest }, 'closing a blob reader failed'));
    }
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
