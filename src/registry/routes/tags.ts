import type { FastifyInstance } from 'fastify';
import { BosunError } from '../../errors.js';
import type { RegistryContext } from '../context.js';
import { repoOf } from '../http.js';
import { pageOut, parsePage } from '../pagination.js';

/** `GET /v2/<name>/tags/list` with `n`/`last` pagination (spec: end-8a/8b). */
export async function tagRoutes(app: FastifyInstance, opts: { ctx: RegistryContext }): Promise<void> {
  const { ctx } = opts;
  app.route({
    method: ['GET', 'HEAD'],
    url: '/v2/_/tags/list',
    handler: async (request, reply) => {
      const repo = repoOf(request);
      const page = parsePage(request, 'REGISTRY_SERVE_TAG_INVALID');
      const fetched = page.n === 0 ? await ctx.meta.listTags(repo, { ...page, n: 0 }) : await ctx.meta.listTags(repo, { ...page, n: page.n + 1 });
      if (!fetched) throw new BosunError('REGISTRY_SERVE_NAME_UNKNOWN', `no repository "${repo}"`);
      const tags = pageOut(reply, `/v2/${repo}/tags/list`, page, fetched);
      return reply.type('application/json').send({ name: repo, tags });
    },
  });
}
