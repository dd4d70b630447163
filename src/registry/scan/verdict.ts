import type { Digest } from '../../oci/digest.js';
import { limits } from '../../oci/limits.js';
import { severityLevels, type SeverityLevel } from '../../vuln/match/finding.js';
import type { RegistryContext } from '../context.js';
import type { ManifestRecord } from '../meta-store/meta-store.js';
import { scanCandidate, type ScanCandidate } from './candidate.js';
import type { ScanStore } from './scan-store.js';
import { manifestBytes } from './store-image.js';

/** The pull rule: `scan.blockPullsAbove` and `scan.unscanned`. */
export interface PullRule {
  threshold: SeverityLevel;
  unscanned: 'allow' | 'deny';
}

export type Verdict = { allowed: true } | { allowed: false; reason: string };

const allowed: Verdict = { allowed: true };

// What kind of manifest a digest is never changes, so the pull check parses each manifest once.
const kinds = new Map<string, ScanCandidate>();
const maxKinds = 10_000;

async function candidateOf(ctx: RegistryContext, digest: Digest): Promise<ScanCandidate> {
  let c = kinds.get(digest);
  if (!c) {
    c = scanCandidate(await manifestBytes(ctx, digest));
    if (kinds.size >= maxKinds) kinds.clear();
    kinds.set(digest, c);
  }
  return c;
}

/** Unsuppressed findings at or above `threshold`, by severity, highest first (zero counts left out). */
export function countsAtOrAbove(summary: Partial<Record<SeverityLevel, number>>, threshold: SeverityLevel): Array<[SeverityLevel, number]> {
  const from = severityLevels.indexOf(threshold);
  return severityLevels
    .slice(from)
    .reverse()
    .map((l): [SeverityLevel, number] => [l, summary[l] ?? 0])
    .filter(([, n]) => n > 0);
}

async function imageVerdict(ctx: RegistryContext, store: ScanStore, rule: PullRule, repo: string, digest: Digest): Promise<Verdict> {
  const scan = await store.status(repo, digest);
  if (scan?.status === 'done') {
    const over = countsAtOrAbove(scan.summary ?? {}, rule.threshold);
    if (over.length === 0) return allowed;
    const counts = over.map(([l, n]) => `${n} ${l}`).join(', ');
    return { allowed: false, reason: `image "${repo}@${digest}" has ${counts} finding(s) at or above ${rule.threshold}; scan.blockPullsAbove refuses it` };
  }
  if (rule.unscanned === 'allow') return allowed;
  return { allowed: false, reason: `image "${repo}@${digest}" has no finished scan (${scan?.status ?? 'never scanned'}); scan.unscanned is deny` };
}

/**
 * Whether a manifest GET may be answered under the rule. Referrers and other artifacts are
 * always allowed (so signatures and the attached SBOM stay readable); an image by its own
 * scan; an index by its image children (and nested indexes, one level), the first refusal
 * winning.
 */
export async function pullVerdict(ctx: RegistryContext, store: ScanStore, rule: PullRule, record: ManifestRecord, depth = 0): Promise<Verdict> {
  if (record.subject) return allowed;
  const candidate = await candidateOf(ctx, record.digest);
  if (candidate.kind === 'skip') return allowed;
  if (candidate.kind === 'image') return imageVerdict(ctx, store, rule, record.repo, record.digest);
  if (depth >= 2) return allowed;
  for (const child of candidate.children.slice(0, limits.indexEntries)) {
    const childRecord = await ctx.meta.getManifest(record.repo, child);
    if (!childRecord) continue;
    const v = await pullVerdict(ctx, store, rule, childRecord, depth + 1);
    if (!v.allowed) return v;
  }
  return allowed;
}
