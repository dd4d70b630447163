import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RegistryContext } from '../context.js';
import type { Page } from '../meta-store/meta-store.js';
import { pageOut, parsePage } from '../pagination.js';

// How many store pages one catalog request may scan looking for repositories the caller may
// see; past it the answer is shorter and its Link continues from the last name scanned.
const maxScannedPages = 20;

/**
 * Up to `page.n + 1` repositories after `page.last` that the requester may see, and the last
 * name scanned when the scan budget ran out first (the next page starts there).
 */
async function visiblePage(ctx: RegistryContext, request: FastifyRequest, page: Page): Promise<{ names: string[]; resumeAfter?: string }> {
  const want = page.n + 1;
  const names: string[] = [];
  let last = page.last;
  for (let i = 0; i < maxScannedPages; i++) {
    const batch = await ctx.meta.listRepositories({ n: want, ...(last !== undefined ? { last } : {}) });
    for (const name of batch) if (ctx.isRepositoryVisible(request, name)) names.push(name);
    if (names.length >= want || batch.length < want) return { names: names.slice(0, want) };
    last = batch[batch.length - 1];
  }
  return { names, ...(last !== undefined ? { resumeAfter: last } : {}) };
}

/** `GET /v2/_catalog` with `n`/`last` pagination (distribution's extension to the spec). */
export async function catalogRoutes(app: FastifyInstance, opts: { ctx: RegistryContext }): Promise<void> {
  const { ctx } = opts;
  app.route({
    method: ['GET', 'HEAD'],
    url: '/v2/_catalog',
    handler: async (request, reply) => {
      const page = parsePage(request, 'REGISTRY_SERVE_NAME_INVALID');
      if (page.n === 0) return reply.type('application/json').send({ repositories: [] });
      const { names, resumeAfter } = await visiblePage(ctx, request, page);
      const repositories = pageOut(reply, '/v2/_catalog', page, names);
      if (resumeAfter !== undefined && names.length <= page.n) {
        reply.header('link', `</v2/_catalog?n=${page.n}&last=${encodeURIComponent(resumeAfter)}>; rel="next"`);
      }
      return reply.type('application/json').send({ repositories });
    },
  });
}
