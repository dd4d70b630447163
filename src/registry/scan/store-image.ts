import { BosunError } from '../../errors.js';
import type { Digest } from '../../oci/digest.js';
import { limits } from '../../oci/limits.js';
import { fromCore } from '../../oci/partial.js';
import { readAll } from '../../oci/read-all.js';
import type { Image } from '../../oci/types.js';
import { blobKey } from '../blob-store/paths.js';
import type { RegistryContext } from '../context.js';

/** A manifest's bytes: from the content cache, else the blob store (bounded). */
export async function manifestBytes(ctx: RegistryContext, digest: Digest): Promise<Buffer> {
  const cached = ctx.cache.get(digest);
  if (cached) return cached;
  return readAll(await ctx.blobs.read(blobKey(digest)), limits.manifestBytes, `manifest ${digest}`);
}

/**
 * An `Image` read straight from the registry's own stores (no HTTP): the manifest of `digest`
 * in `repo` and the blobs it names, each verified against its descriptor as it streams
 * (`fromCore`). Only blobs the repository links are opened. Throws
 * REGISTRY_SERVE_MANIFEST_UNKNOWN / REGISTRY_SERVE_BLOB_UNKNOWN when they are gone.
 */
export function storeImage(ctx: RegistryContext, repo: string, digest: Digest): Image {
  return fromCore(
    {
      rawManifest: async () => {
        if (!(await ctx.meta.getManifest(repo, digest))) throw new BosunError('REGISTRY_SERVE_MANIFEST_UNKNOWN', `no manifest ${digest} in "${repo}"`);
        return manifestBytes(ctx, digest);
      },
      manifestDigest: async () => digest,
      openBlob: async (desc) => {
        if (!(await ctx.meta.blobLink(repo, desc.digest))) throw new BosunError('REGISTRY_SERVE_BLOB_UNKNOWN', `blob ${desc.digest} is not in "${repo}"`);
        return ctx.blobs.read(blobKey(desc.digest));
      },
    },
    { name: `${repo}@${digest}` },
  );
}
