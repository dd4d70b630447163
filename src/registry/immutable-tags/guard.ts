import type { Digest } from '../../oci/digest.js';
import type { Descriptor } from '../../oci/types.js';
import type { ManifestRecord, MetaStore, Page, TagGuard, UploadRecord } from '../meta-store/meta-store.js';
import { matchGlob } from './glob.js';
import { immutableTagError, type ImmutableTagRule, type RuleSet } from './rules.js';
import type { LifecycleStore } from '../lifecycle/lifecycle-store.js';

/** Both guards' checks, in order (either may be absent). */
function both(a: TagGuard | undefined, b: TagGuard): TagGuard {
  return a ? { check: (tag, current, next) => (a.check(tag, current, next), b.check(tag, current, next)) } : b;
}

/** A guard refusing any change to a tag that one of `rules` protects, naming the rule. */
function ruleGuard(rules: readonly ImmutableTagRule[], repo: string, action: string): TagGuard {
  return {
    check(tag, current, next) {
      if (current === undefined || current === next) return;
      const rule = rules.find((r) => matchGlob(r.tag, tag));
      if (rule) throw immutableTagError(rule, repo, tag, action);
    },
  };
}

/**
 * A MetaStore that enforces immutable tag rules on the three writes that can change what a
 * tag names: `putManifest` with a tag (refused when the tag exists at another digest),
 * `deleteTag`, and `deleteManifest` of a digest a protected tag points at. Refusals throw
 * REGISTRY_TAG_IMMUTABLE naming the rule. Reads pass straight through.
 *
 * Race-freedom: the rules are read first, then the check runs as a TagGuard inside the
 * store's write transaction, under a lock on the tag (SQLite: BEGIN IMMEDIATE; PostgreSQL: a
 * transaction-scoped advisory lock on (repository, tag), or the repository row for a manifest
 * delete). So two pushes of different digests to one new protected tag cannot both see it
 * absent, whether they reach one process or two replicas sharing the database.
 */
export class ImmutableTagGuard implements MetaStore {
  constructor(
    private readonly inner: MetaStore,
    private readonly rules: RuleSet,
  ) {}

  // `refs` must reach the store: it re-checks them inside the put's transaction (GC safety).
  async putManifest(record: ManifestRecord, tag?: string, refs?: readonly Digest[], guard?: TagGuard): Promise<void> {
    if (tag === undefined) return this.inner.putManifest(record, undefined, refs, guard);
    const rule = await this.rules.protecting(record.repo, tag);
    if (!rule) return this.inner.putManifest(record, tag, refs, guard);
    return this.inner.putManifest(record, tag, refs, both(guard, ruleGuard([rule], record.repo, 'move (re-push)')));
  }

  /** The wrapped store's lifecycle view (GC, retention), when it has one. */
  get lifecycle(): (() => LifecycleStore) | undefined {
    const inner = this.inner;
    return inner.lifecycle ? () => inner.lifecycle!() : undefined;
  }

  async deleteTag(repo: string, tag: string, guard?: TagGuard): Promise<boolean> {
    const rule = await this.rules.protecting(repo, tag);
    if (!rule) return this.inner.deleteTag(repo, tag, guard);
    return this.inner.deleteTag(repo, tag, both(guard, ruleGuard([rule], repo, 'delete')));
  }

  async deleteManifest(repo: string, digest: Digest, guard?: TagGuard): Promise<boolean> {
    const covering = await this.rules.forRepository(repo);
    if (covering.length === 0) return this.inner.deleteManifest(repo, digest, guard);
    return this.inner.deleteManifest(repo, digest, both(guard, ruleGuard(covering, repo, `delete manifest ${digest}, which carries`)));
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
  repositoriesLinking(digest: Digest, limit: number): Promise<string[]> {
    return this.inner.repositoriesLinking(digest, limit);
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
