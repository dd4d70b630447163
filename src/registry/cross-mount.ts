import type { FastifyRequest } from 'fastify';
import type { Digest } from '../oci/digest.js';
import type { RegistryContext } from './context.js';
import { contentGuard } from './lifecycle/content-guard.js';

/**
 * The most repositories an automatic mount considers, the oldest first: a client cannot make
 * one request walk every repository holding a popular layer.
 */
export const maxMountCandidates = 100;

/** A `POST /v2/<repo>/blobs/uploads/?mount=<digest>[&from=<from>]`. */
export interface MountRequest {
  repo: string;
  digest: Digest;
  /** The named source; absent asks for automatic discovery (when the registry allows it). */
  from?: string;
}

/**
 * Links blob `digest` into `repo` from a repository that holds it, for a cross-repository
 * mount (spec: "Mounting a blob from another repository"). Resolves true when mounted.
 *
 * With `from`: only from that repository, and only when the caller may pull it
 * (`ctx.mayMountFrom`, CVE-2024-39897). A `from` that cannot be mounted is not replaced by
 * discovery: the spec lets a registry treat `from` as optional, not second-guess it, and
 * answers an impossible mount with an upload session.
 *
 * Without `from`, when `ctx.automaticCrossMount` is on: from the first of the (at most
 * `maxMountCandidates`, oldest first) repositories linking the digest that the caller may
 * pull. Repositories the caller cannot read are passed over silently, so false means exactly
 * what it means for an absent blob: the caller learns nothing about them.
 *
 * The link is checked and copied under the content guard, so GC cannot delete the content
 * between the check and the new link.
 */
export async function mountBlob(ctx: RegistryContext, request: FastifyRequest, m: MountRequest): Promise<boolean> {
  const sources = await readableSources(ctx, request, m);
  if (sources.length === 0) return false;
  return contentGuard(ctx.blobs).use(m.digest, async () => {
    for (const source of sources) {
      const link = await ctx.meta.blobLink(source, m.digest);
      if (!link) continue;
      await ctx.meta.linkBlob(m.repo, m.digest, link.size);
      return true;
    }
    return false;
  });
}

/** The repositories the mount may copy the link from, in the order to try them. */
async function readableSources(ctx: RegistryContext, request: FastifyRequest, m: MountRequest): Promise<string[]> {
  if (m.from !== undefined) return (await ctx.mayMountFrom(request, m.from)) ? [m.from] : [];
  if (!ctx.automaticCrossMount) return [];
  const readable: string[] = [];
  for (const candidate of await ctx.meta.repositoriesLinking(m.digest, maxMountCandidates)) {
    if (await ctx.mayMountFrom(request, candidate)) readable.push(candidate);
  }
  return readable;
}
