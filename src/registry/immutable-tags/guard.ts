import type { Digest } from '../../oci/digest.js';
import type { Descriptor } from '../../oci/types.js';
import type { ManifestRecord, MetaStore, Page, UploadRecord } from '../meta-store/meta-store.js';
import { immutableTagError, type RuleSet } from './rules.js';
import type { LifecycleStore } from '../lifecycle/lifecycle-store.js';

/**
 * One chain of promises per key: `run` starts `fn` only once every earlier `fn` of the same
 * key has settled. Keys are dropped when their chain drains, so memory follows the number of
 * writes in flight, not the number of repositories ever seen.
 */
class KeyedLock {
  readonly #tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const before = this.#tails.get(key) ?? Promise.resolve();
    const mine = before.then(fn, fn);
    const tail = mine.catch(() => undefined);
    this.#tails.set(key, tail);
    try {
      return await mine;
    } finally {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}

const tagPage = 1000;

/**
 * A MetaStore that enforces immutable tag rules on the three writes that can change what a
 * tag names: `putManifest` with a tag (refused when the tag exists at another digest),
 * `deleteTag`, and `deleteManifest` of a digest a protected tag points at. Refusals throw
 * REGISTRY_TAG_IMMUTABLE naming the rule. Reads pass straight through.
 *
 * Race-freedom: the check and the write run under a per-repository lock, taken only when a
 * rule covers the repository, so two pushes of different digests to the same new protected
 * tag cannot both see it absent. The lock is in-process: replicas sharing one database need
 * the check inside the database transaction instead.
 */
export class ImmutableTagGuard implements MetaStore {
  readonly #lock = new KeyedLock();

  constructor(
    private readonly inner: MetaStore,
    private readonly rules: RuleSet,
  ) {}

  // `refs` must reach the store: it re-checks them inside the put's transaction (GC safety).
  async putManifest(record: ManifestRecord, tag?: string, refs?: readonly Digest[]): Promise<void> {
    if (tag === undefined) return this.inner.putManifest(record, undefined, refs);
    const rule = await this.rules.protecting(record.repo, tag);
    if (!rule) return this.inner.putManifest(record, tag, refs);
    return this.#lock.run(record.repo, async () => {
      const current = await this.inner.resolveTag(record.repo, tag);
      if (current && current.digest !== record.digest) throw immutableTagError(rule, record.repo, tag, `move (re-push)`);
      return this.inner.putManifest(record, tag, refs);
    });
  }

  /** The wrapped store's lifecycle view (GC, retention), when it has one. */
  get lifecycle(): (() => LifecycleStore) | undefined {
    const inner = this.inner;
    return inner.lifecycle ? () => inner.lifecycle!() : undefined;
  }

  async deleteTag(repo: string, tag: string): Promise<boolean> {
    const rule = await this.rules.protecting(repo, tag);
    if (!rule) return this.inner.deleteTag(repo, tag);
    return this.#lock.run(repo, async () => {
      if (await this.inner.resolveTag(repo, tag)) throw immutableTagError(rule, repo, tag, 'delete');
      return this.inner.deleteTag(repo, tag);
    });
  }

  async deleteManifest(repo: string, digest: Digest): Promise<boolean> {
    const covering = await this.rules.forRepository(repo);
    if (covering.length === 0) return this.inner.deleteManifest(repo, digest);
    return this.#lock.run(repo, async () => {
      for (let last: string | undefined; ; ) {
        const tags = await this.inner.tagsOf(repo, digest, { n: tagPage, ...(last === undefined ? {} : { last }) });
        for (const tag of tags) {
          const rule = await this.rules.protecting(repo, tag);
          if (rule) throw immutableTagError(rule, repo, tag, `delete manifest ${digest}, which carries`);
        }
        if (tags.length < tagPage) break;
        last = tags[tags.length - 1];
      }
      return this.inner.deleteManifest(repo, digest);
    });
  }

  linkBlob(repo: string, digest: Digest, size: number): Promise<void> {
    return this.inner.linkBlob(repo, digest, size);
  }
  blobLink(repo: string, digest: Digest): Promise<{ size: number } | undefined> {
    return this.inner.blobLink(repo, digest);
  }
  unlinkBlob(repo: string, digest: Digest): Promise<boolean> {
    return this.inner.unlinkBlob(repo, digest);
  }
  getManifest(repo: string, digest: Digest): Promise<ManifestRecord | undefined> {
    return this.inner.getManifest(repo, digest);
  }
  resolveTag(repo: string, tag: string): Promise<ManifestRecord | undefined> {
    return this.inner.resolveTag(repo, tag);
  }
  tagsOf(repo: string, digest: Digest, page: Page): Promise<string[]> {
    return this.inner.tagsOf(repo, digest, page);
  }
  listTags(repo: string, page: Page): Promise<string[] | undefined> {
    return this.inner.listTags(repo, page);
  }
  listRepositories(page: Page): Promise<string[]> {
    return this.inner.listRepositories(page);
  }
  referrers(repo: string, subject: Digest, opts: { artifactType?: string; limit: number; after?: Digest }): Promise<Descriptor[]> {
    return this.inner.referrers(repo, subject, opts);
  }
  createUpload(record: UploadRecord): Promise<void> {
    return this.inner.createUpload(record);
  }
  getUpload(id: string): Promise<UploadRecord | undefined> {
    return this.inner.getUpload(id);
  }
  setUploadSize(id: string, size: number, updatedAt: number): Promise<void> {
    return this.inner.setUploadSize(id, size, updatedAt);
  }
  deleteUpload(id: string): Promise<void> {
    return this.inner.deleteUpload(id);
  }
  staleUploads(before: number, limit: number): Promise<UploadRecord[]> {
    return this.inner.staleUploads(before, limit);
  }
  listUploadIds(): Promise<string[]> {
    return this.inner.listUploadIds();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
