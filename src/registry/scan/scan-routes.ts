import type { FastifyInstance } from 'fastify';
import { BosunError } from '../../errors.js';
import type { Digest } from '../../oci/digest.js';
import type { RegistryContext } from '../context.js';
import { parseDigestParam, parseName } from '../names.js';
import { scanCandidate } from './candidate.js';
import type { ScanRecord, ScanStore } from './scan-store.js';
import { manifestBytes } from './store-image.js';
import { requestAccess } from '../access/request-access.js';

/** Route prefix of the scan API. */
export const scanApiPrefix = '/api/v1/scans/';

function publicView(r: ScanRecord | undefined): Record<string, unknown> {
  if (!r) return { status: 'unscanned' };
  const { repo: _repo, digest: _digest, ...rest } = r;
  return rest;
}

/** Splits `<repo>/<digest>` (the repository may have slashes); throws NAME_INVALID / DIGEST_INVALID. */
export function parseScanPath(path: string): { repo: string; digest: Digest } {
  const slash = path.lastIndexOf('/');
  if (slash <= 0) throw new BosunError('REGISTRY_SERVE_NAME_INVALID', 'want /api/v1/scans/<repository>/<digest>');
  return { repo: parseName(path.slice(0, slash)), digest: parseDigestParam(path.slice(slash + 1)) };
}

/**
 * `GET /api/v1/scans/<repo>/<digest>`: the scan of a manifest as JSON. For an image:
 * `{ repository, digest, status, updatedAt, summary, report, sbomDigest, reportDigest, reason }`
 * (`status: unscanned` when never queued; `skipped` with the reason for artifacts); for an
 * index: `{ repository, digest, kind: "index", children: [{ digest, status, summary }] }`.
 * 404 MANIFEST_UNKNOWN when the repository has no such manifest.
 */
export function scanRoutes(app: FastifyInstance, ctx: RegistryContext, store: ScanStore): void {
  app.get(`${scanApiPrefix}*`, async (request, reply) => {
    const { repo, digest } = parseScanPath((request.params as { '*': string })['*']);
    // A scan describes the image: only those who may pull the repository may read it.
    const access = requestAccess(request);
    if (access && !access.may(repo, 'pull')) throw new BosunError('REGISTRY_AUTH_DENIED', `reading scans of "${repo}" needs pull access to it`);
    if (!(await ctx.meta.getManifest(repo, digest))) throw new BosunError('REGISTRY_SERVE_MANIFEST_UNKNOWN', `no manifest ${digest} in "${repo}"`);
    const candidate = scanCandidate(await manifestBytes(ctx, digest));
    const head = { repository: repo, digest };
    if (candidate.kind === 'skip') return reply.send({ ...head, status: 'skipped', reason: candidate.reason });
    if (candidate.kind === 'image') return reply.send({ ...head, kind: 'image', ...publicView(await store.get(repo, digest)) });
    const children = [];
    for (const child of candidate.children) {
      const r = await store.status(repo, child);
      children.push({ digest: child, status: r?.status ?? 'unscanned', ...(r?.summary ? { summary: r.summary } : {}) });
    }
    return reply.send({ ...head, kind: 'index', children });
  });
}
