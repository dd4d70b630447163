import type { FastifyInstance } from 'fastify';
import type { RegistryContext } from '../context.js';
import { pageOut, parsePage } from '../pagination.js';

/** `GET /v2/_catalog` with `n`/`last` pagination (distribution's extension to the spec). */
export async function catalogRoutes(app: FastifyInstance, opts: { ctx: RegistryContext }): Promise<void> {
  const { ctx } = opts;
  app.route({
    method: ['GET', 'HEAD'],
    url: '/v2/_catalog',
    handler: async (request, reply) => {
      const page = parsePage(request, 'REGISTRY_SERVE_NAME_INVALID');
      const fetched = page.n === 0 ? [] : await ctx.meta.listRepositories({ ...page, n: page.n + 1 });
      const repositories = pageOut(reply, '/v2/_catalog', page, fetched);
      return reply.type('application/json').send({ repositories });
    },
  });
}
