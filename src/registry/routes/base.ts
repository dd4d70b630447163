import type { FastifyInstance } from 'fastify';

/** `GET /v2/`: the API version check (spec: end-1). Access control answers 401 first when it wants credentials. */
export async function baseRoutes(app: FastifyInstance): Promise<void> {
  app.route({
    method: ['GET', 'HEAD'],
    url: '/v2/',
    handler: async (_request, reply) => {
      reply.header('docker-distribution-api-version', 'registry/2.0').type('application/json');
      return '{}';
    },
  });
}
