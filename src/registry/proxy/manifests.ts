import { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { BosunError, isBosunError } from '../../errors.js';
import type { Digest } from '../../oci/digest.js';
import { parseManifest, type ParsedManifest } from '../../oci/manifest.js';
import type { FetchedManifest } from '../../oci/remote/fetch.js';
import { blobKey } from '../blob-store/paths.js';
import type { RegistryContext } from '../context.js';
import { recordOf } from '../manifest-push.js';
import type { Reference } from '../names.js';
import { SingleFlight } from './single-flight.js';
import { isOutage, upstreamError, type Upstream } from './upstream.js';

// After an outage a tag is asked again this soon (or at its TTL, if shorter), so a hanging
// upstream costs one timeout per tag per interval rather than one per pull.
const outageRetryMs = 30_000;
const maxTrackedTags = 100_000;

/**
 * Manifests of one proxy prefix: makes the manifest a pull names present in the local stores,
 * so the ordinary manifest route answers it (and emits the pull event).
 *
 * - By digest: fetched once, verified, kept.
 * - By tag: re-checked upstream (HEAD; GET only when the digest changed) once the last check
 *   is older than `tagTtl`. When the upstream is down, times out, rate-limits or fails, a
 *   cached tag is served whatever its age. A 404 upstream is passed on.
 *
 * When tags were last checked is kept in memory: after a restart every tag is checked once.
 */
export class ManifestCache {
  readonly #nextCheck = new Map<string, number>();
  readonly #flights = new SingleFlight<void>();

  constructor(
    private readonly ctx: RegistryContext,
    private readonly upstream: Upstream,
    private readonly log: FastifyBaseLogger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Ensures `ref` is stored under `repo`; throws REGISTRY_SERVE_MANIFEST_UNKNOWN or REGISTRY_PROXY_*. */
  async ensure(repo: string, ref: Reference): Promise<void> {
    if (ref.kind === 'digest') {
      if (await this.ctx.meta.getManifest(repo, ref.digest)) return;
      await this.#flights.run(`${repo}@${ref.digest}`, () => this.fetchByDigest(repo, ref.digest));
      return;
    }
    const key = `${repo}:${ref.tag}`;
    const due = this.#nextCheck.get(key);
    if (due !== undefined && this.now() < due && (await this.ctx.meta.resolveTag(repo, ref.tag))) return;
    await this.#flights.run(key, () => this.refreshTag(repo, ref.tag, key));
  }

  private async fetchByDigest(repo: string, digest: Digest): Promise<void> {
    const fetched = await this.upstream.getManifest(repo, digest);
    await this.store(repo, fetched);
  }

  private async refreshTag(repo: string, tag: string, key: string): Promise<void> {
    const cached = await this.ctx.meta.resolveTag(repo, tag);
    try {
      const digest = cached ? await this.upstream.headManifest(repo, tag) : undefined;
      if (!cached || digest !== cached.digest) {
        const known = digest && (await this.ctx.meta.getManifest(repo, digest));
        if (known) await this.ctx.meta.putManifest(known, tag);
        else await this.store(repo, await this.upstream.getManifest(repo, digest ?? tag), tag);
      }
      this.mark(key, this.upstream.entry.tagTtl);
    } catch (err) {
      const failure = isBosunError(err) ? err : upstreamError(err, `tag ${tag} of "${repo}"`);
      if (!cached || !isOutage(failure)) throw failure;
      this.log.warn({ repo, tag, code: failure.code, err: failure.message }, 'proxy upstream failed; serving the cached tag');
      this.mark(key, Math.min(outageRetryMs, this.upstream.entry.tagTtl));
    }
  }

  private mark(key: string, ms: number): void {
    this.#nextCheck.delete(key);
    if (this.#nextCheck.size >= maxTrackedTags) this.#nextCheck.delete(this.#nextCheck.keys().next().value!);
    this.#nextCheck.set(key, this.now() + ms);
  }

  // Bytes before metadata, as a push does, so a crash leaves only unreferenced content.
  private async store(repo: string, fetched: FetchedManifest, tag?: string): Promise<void> {
    let parsed: ParsedManifest;
    try {
      parsed = parseManifest(fetched.raw, `upstream manifest ${fetched.digest} of "${repo}"`, fetched.mediaType);
    } catch (err) {
      throw new BosunError('REGISTRY_PROXY_UPSTREAM_INVALID', (err as Error).message, { cause: err });
    }
    const key = blobKey(fetched.digest);
    if (!(await this.ctx.blobs.stat(key))) await this.ctx.blobs.put(key, Readable.from([fetched.raw]));
    await this.ctx.meta.putManifest(recordOf(repo, fetched.digest, fetched.raw, parsed), tag);
    this.ctx.cache.set(fetched.digest, fetched.raw);
  }
}
