import type { RetentionRule } from './config-schema.js';
import { parseDuration } from './duration.js';
import { exclusively, lifecycleOf, type LifecycleStores } from './gc.js';
import { compileGlob } from './glob.js';
import type { LifecycleStore, RemovedEntry, TagTimes } from './lifecycle-store.js';

export interface RetentionOptions {
  /** Report what would go; change nothing. */
  dryRun?: boolean;
  /** The clock, ms since epoch (tests). */
  now?: number;
  /** Called for each tag or manifest removed (or that would be), as it happens. */
  onRemoved?: (kind: 'tag' | 'manifest', entry: RemovedEntry) => void;
  signal?: AbortSignal;
}

export interface RetentionReport {
  dryRun: boolean;
  tags: RemovedEntry[];
  /** Manifests no tag reaches any more, pushed before a rule's deleteUntaggedOlderThan. */
  manifests: RemovedEntry[];
}

/** The rules whose `repositories` glob matches `repo`, in configuration order. */
export function rulesFor(repo: string, rules: readonly RetentionRule[]): RetentionRule[] {
  return rules.filter((r) => compileGlob(r.repositories, true).test(repo));
}

function newestFirst(tags: readonly TagTimes[], at: (t: TagTimes) => number): TagTimes[] {
  return [...tags].sort((a, b) => at(b) - at(a) || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
}

function keptBy(rule: RetentionRule, tags: readonly TagTimes[]): TagTimes[] {
  const { keepLastPushed, keepLastPulled, keepTags } = rule;
  if (keepLastPushed === undefined && keepLastPulled === undefined && keepTags === undefined) return [...tags];
  const kept: TagTimes[] = [];
  if (keepLastPushed !== undefined) kept.push(...newestFirst(tags, (t) => t.pushedAt).slice(0, keepLastPushed));
  if (keepLastPulled !== undefined) {
    // Tags never pulled are not "recently pulled": they do not fill the N.
    const pulled = tags.filter((t) => t.pulledAt > 0);
    kept.push(...newestFirst(pulled, (t) => t.pulledAt).slice(0, keepLastPulled));
  }
  if (keepTags !== undefined) {
    const patterns = keepTags.map((p) => compileGlob(p, false));
    kept.push(...tags.filter((t) => patterns.some((p) => p.test(t.tag))));
  }
  return kept;
}

/**
 * The tags of one repository that `rules` (those applying to it) do not keep: a tag stays
 * when any rule keeps it, by push rank, pull rank or name. No rules: nothing goes.
 */
export function tagsToDelete(tags: readonly TagTimes[], rules: readonly RetentionRule[]): TagTimes[] {
  if (rules.length === 0) return [];
  const kept = new Set(rules.flatMap((r) => keptBy(r, tags)).map((t) => t.tag));
  return tags.filter((t) => !kept.has(t.tag));
}

/**
 * The push time before which untagged manifests go: the longest `deleteUntaggedOlderThan`
 * among the rules (keeping the most), or undefined when none sets one.
 */
export function untaggedCutoff(rules: readonly RetentionRule[], now: number): number | undefined {
  const ages = rules.flatMap((r) => (r.deleteUntaggedOlderThan === undefined ? [] : [parseDuration(r.deleteUntaggedOlderThan) ?? Infinity]));
  return ages.length === 0 ? undefined : now - Math.max(...ages);
}

/**
 * Applies retention rules to every repository they match: removes the tags no rule keeps,
 * then the manifests no tag reaches that are older than `deleteUntaggedOlderThan` (their
 * referrers with them). Content and links are left to garbage collection. Each repository
 * is one transaction; a dry run rolls it back and reports exactly what would go.
 */
export async function applyRetention(stores: LifecycleStores, rules: readonly RetentionRule[], opts: RetentionOptions = {}): Promise<RetentionReport> {
  const life = lifecycleOf(stores.meta);
  return exclusively(life, () => retain(life, rules, opts));
}

async function retain(life: LifecycleStore, rules: readonly RetentionRule[], opts: RetentionOptions): Promise<RetentionReport> {
  const dryRun = opts.dryRun ?? false;
  const now = opts.now ?? Date.now();
  const report: RetentionReport = { dryRun, tags: [], manifests: [] };
  for (const repo of await life.repositories()) {
    opts.signal?.throwIfAborted();
    const applicable = rulesFor(repo, rules);
    if (applicable.length === 0) continue;
    const doomed = tagsToDelete(await life.tagTimes(repo), applicable);
    const cutoff = untaggedCutoff(applicable, now);
    const removed = await life.retainRepository(repo, { tags: doomed, dryRun, ...(cutoff !== undefined ? { untaggedCutoff: cutoff } : {}) });
    for (const t of removed.tags) opts.onRemoved?.('tag', t);
    for (const m of removed.manifests) opts.onRemoved?.('manifest', m);
    report.tags.push(...removed.tags);
    report.manifests.push(...removed.manifests);
  }
  return report;
}
