import type { FastifyInstance } from 'fastify';
import { MediaTypes } from '../../oci/media-types.js';
import type { RegistryContext } from '../context.js';
import { queryParam, repoOf } from '../http.js';
import { parseDigestParam } from '../names.js';
import { parsePage } from '../pagination.js';

interface DigestParams {
  digest: string;
}

/**
 * `GET /v2/<name>/referrers/<digest>[?artifactType=][&n=][&last=]` (spec: end-12a/12b): always
 * 200 with an image index of the manifests whose `subject` is `digest`, even when there are
 * none, in digest order. A page holds `n` entries (capped at maxPageSize, the default, so a
 * huge `n` cannot make the server list without bound: CVE-2023-2253); when more follow, a
 * `Link: <…&last=<digest>>; rel="next"` header points at the next page, as the spec allows.
 */
export async function referrerRoutes(app: FastifyInstance, opts: { ctx: RegistryContext }): Promise<void> {
  const { ctx } = opts;
  app.route<{ Params: DigestParams }>({
    method: ['GET', 'HEAD'],
    url: '/v2/_/referrers/:digest',
    handler: async (request, reply) => {
      const repo = repoOf(request);
      const subject = parseDigestParam(request.params.digest);
      const page = parsePage(request, 'REGISTRY_SERVE_DIGEST_INVALID');
      const after = page.last === undefined ? {} : { after: parseDigestParam(page.last) };
      const artifactType = queryParam(request, 'artifactType');
      const filter = artifactType !== undefined && artifactType !== '' ? { artifactType } : {};
      const fetched = page.n === 0 ? [] : await ctx.meta.referrers(repo, subject, { ...filter, ...after, limit: page.n + 1 });
      const manifests = fetched.slice(0, page.n);
      if (fetched.length > page.n) {
        const q = new URLSearchParams({ n: String(page.n), last: manifests[manifests.length - 1]!.digest });
        if (filter.artifactType !== undefined) q.set('artifactType', filter.artifactType);
        reply.header('link', `</v2/${repo}/referrers/${subject}?${q.toString()}>; rel="next"`);
      }
      if (filter.artifactType !== undefined) reply.header('oci-filters-applied', 'artifactType');
      return reply.header('content-type', MediaTypes.ociIndex).send(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests })));
    },
  });
}
