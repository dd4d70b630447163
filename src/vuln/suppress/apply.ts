import type { Finding } from '../match/finding.js';
import { isRuleActive, type IgnoreRule } from './ignorefile.js';
import { productCovers, purlMatches, type VexStatement } from './vex.js';

/** Why a finding is suppressed; reported with the finding, never dropped silently. */
export interface Suppression {
  kind: 'ignorefile' | 'vex';
  /** The file (and line or statement) that suppressed it. */
  origin: string;
  /** VEX status (`not_affected`, `fixed`). */
  status?: string;
  /** The VEX status as the document wrote it, when that differs from `status` (CycloneDX `false_positive`). */
  documentStatus?: string;
  justification?: string;
  statement?: string;
  expires?: string;
}

export interface SuppressOptions {
  rules?: readonly IgnoreRule[];
  vex?: readonly VexStatement[];
  /** The scanned image's manifest digest, for VEX products naming the image. */
  artifactDigest?: string;
  now?: Date;
}

function namesOf(f: Finding): Set<string> {
  return new Set([f.id, ...f.aliases]);
}

function ruleApplies(rule: IgnoreRule, f: Finding, names: ReadonlySet<string>, now: Date): boolean {
  if (!names.has(rule.id) || !isRuleActive(rule, now)) return false;
  if (rule.purls && !rule.purls.some((p) => purlMatches(p, f.package.purl))) return false;
  if (rule.paths && !rule.paths.some((p) => f.package.locations.some((l) => l.path === p || l.path === `/${p.replace(/^\/+/, '')}`))) return false;
  return true;
}

/** VEX statuses that suppress: the product is not affected, or the vendor says it is fixed there. */
const suppressing: ReadonlySet<VexStatement['status']> = new Set(['not_affected', 'fixed']);

function vexFor(f: Finding, names: ReadonlySet<string>, statements: readonly VexStatement[], digest: string | undefined): VexStatement | undefined {
  const about = statements.filter((s) =>
    (names.has(s.vulnerability) || s.aliases.some((a) => names.has(a))) && s.products.some((p) => productCovers(p, f.package.purl, digest)));
  // the newest statement about the vulnerability and product decides; document order breaks ties
  return about.reduce<VexStatement | undefined>((best, s) => (!best || (s.timestamp ?? '') >= (best.timestamp ?? '') ? s : best), undefined);
}

/**
 * Marks findings suppressed by an ignore rule (id or alias, unexpired, matching purls/paths when
 * given) or by the deciding VEX statement when its status is `not_affected` or `fixed`. Returns every
 * finding, in order, with `suppression` set on the suppressed ones.
 */
export function applySuppressions(findings: readonly Finding[], opts: SuppressOptions): Array<Finding & { suppression?: Suppression }> {
  const now = opts.now ?? new Date();
  return findings.map((f) => {
    const names = namesOf(f);
    const rule = (opts.rules ?? []).find((r) => ruleApplies(r, f, names, now));
    if (rule) {
      return { ...f, suppression: { kind: 'ignorefile', origin: rule.origin, ...(rule.statement ? { statement: rule.statement } : {}), ...(rule.expires ? { expires: rule.expires } : {}) } };
    }
    const vex = vexFor(f, names, opts.vex ?? [], opts.artifactDigest);
    if (vex && suppressing.has(vex.status)) {
      return { ...f, suppression: {
        kind: 'vex', origin: vex.origin, status: vex.status,
        ...(vex.documentStatus !== vex.status ? { documentStatus: vex.documentStatus } : {}),
        ...(vex.justification ? { justification: vex.justification } : {}),
        ...(vex.impactStatement ? { statement: vex.impactStatement } : {}),
      } };
    }
    return f;
  });
}
