import type { FastifyInstance } from 'fastify';
import { limits } from '../../oci/limits.js';
import { MediaTypes } from '../../oci/media-types.js';
import type { RegistryContext } from '../context.js';
import { queryParam, repoOf } from '../http.js';
import { parseDigestParam } from '../names.js';

interface DigestParams {
  digest: string;
}

/**
 * `GET /v2/<name>/referrers/<digest>[?artifactType=]` (spec: end-12a/12b): always 200 with an
 * image index of the manifests whose `subject` is `digest`, even when there are none. At most
 * limits.indexEntries are listed (no Link pagination yet).
 */
export async function referrerRoutes(app: FastifyInstance, opts: { ctx: RegistryContext }): Promise<void> {
  const { ctx } = opts;
  app.route<{ Params: DigestParams }>({
    method: ['GET', 'HEAD'],
    url: '/v2/_/referrers/:digest',
    handler: async (request, reply) => {
      const repo = repoOf(request);
      const subject = parseDigestParam(request.params.digest);
      const artifactType = queryParam(request, 'artifactType');
      const filter = artifactType !== undefined && artifactType !== '' ? { artifactType } : {};
      const manifests = await ctx.meta.referrers(repo, subject, { ...filter, limit: limits.indexEntries });
      if (filter.artifactType !== undefined) reply.header('oci-filters-applied', 'artifactType');
      return reply.header('content-type', MediaTypes.ociIndex).send(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests })));
    },
  });
}
