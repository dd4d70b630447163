import type { FastifyBaseLogger } from 'fastify';
import type { Digest } from '../../oci/digest.js';
import { blobKey } from '../blob-store/paths.js';
import type { RegistryContext } from '../context.js';
import { startFill, type BlobFill } from './blob-fill.js';
import { asProxyError, type Upstream } from './upstream.js';
import { contentGuard } from '../lifecycle/content-guard.js';

/** What the blob route should do for a request under a proxy prefix. */
export type BlobPlan =
  /** The blob is linked locally now: let the ordinary route serve it (Range included). */
  | { kind: 'local' }
  /** A HEAD for a blob not cached: its size upstream (nothing is fetched). */
  | { kind: 'head'; size: number | undefined }
  /** This request started the fill: send `fill.stream` to the client. */
  | { kind: 'fill'; fill: BlobFill };

/**
 * Blobs of one proxy prefix. Each digest is fetched from upstream at most once at a time
 * (single-flight across repositories): the request that starts the fill streams it while it
 * is stored; concurrent requests wait for the fill and are then served from the store.
 *
 * A blob already in the store (e.g. fetched through another repository) is linked to a
 * repository only after the upstream confirms (HEAD) that repository has it, so a cache
 * repository never exposes content its upstream repository does not hold.
 */
export class BlobCache {
  readonly #fills = new Map<Digest, Promise<void>>();

  constructor(
    private readonly ctx: RegistryContext,
    private readonly upstream: Upstream,
    private readonly log: FastifyBaseLogger,
  ) {}

  /**
   * Decides how to answer a GET/HEAD of `digest` in `repo`. With `wantsRange`, a miss is
   * filled completely before the route serves the range. Throws REGISTRY_SERVE_BLOB_UNKNOWN
   * (upstream 404) or REGISTRY_PROXY_* (upstream failure or content failing verification).
   */
  async plan(repo: string, digest: Digest, opts: { isHead: boolean; wantsRange: boolean }): Promise<BlobPlan> {
    for (;;) {
      if (await this.ctx.meta.blobLink(repo, digest)) return { kind: 'local' };
      const running = this.#fills.get(digest);
      if (running) {
        await running.catch((err: unknown) => {
          throw asProxyError(err, `blob ${digest} of "${repo}"`);
        });
        continue;
      }
      // The check and the link are held against a GC sweep, so a link never points at swept bytes.
      const linked = await contentGuard(this.ctx.blobs).use(digest, async () => {
        const stored = await this.ctx.blobs.stat(blobKey(digest));
        if (!stored) return false;
        await this.upstream.headBlob(repo, digest);
        await this.ctx.meta.linkBlob(repo, digest, stored.size);
        return true;
      });
      if (linked) return { kind: 'local' };
      if (opts.isHead) return { kind: 'head', size: await this.upstream.headBlob(repo, digest) };
      // Awaits above may have let another request start a fill meanwhile: check again.
      if (this.#fills.has(digest)) continue;
      const fill = await this.start(repo, digest);
      if (!opts.wantsRange) return { kind: 'fill', fill };
      fill.stream.resume();
      await fill.done.catch((err: unknown) => {
        throw asProxyError(err, `blob ${digest} of "${repo}"`);
      });
    }
  }

  // Registers the fill synchronously, before its first await, so no second request starts one.
  private start(repo: string, digest: Digest): Promise<BlobFill> {
    const started = startFill(this.ctx, this.upstream, repo, digest);
    const done = started.then((f) => f.done);
    this.#fills.set(digest, done);
    done
      .catch((err: unknown) => this.log.warn({ repo, digest, err: (err as Error).message }, 'proxy blob fill failed; nothing was cached'))
      .finally(() => this.#fills.delete(digest))
      .catch(() => undefined);
    return started;
  }
}
