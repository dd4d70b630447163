import { BosunError } from '../../errors.js';
import type { Package, Sbom } from '../../sbom/model.js';
import type { Advisory, AdvisoryQuery, Affected, AdvisorySource } from '../advisory.js';
import { normalizeName, osEcosystem, osPackageTypes, queriesFor, type PackageQuery } from './ecosystem.js';
import { pastEndOfLife } from './eol.js';
import type { Finding, FindingStatus, MatchNote } from './finding.js';
import { byCodeUnit, mergeHits, type Hit } from './merge.js';
import { evaluate, type Compare, type SortedEventsCache } from './ranges.js';
import { comparatorFor, type Comparator } from '../versions/index.js';

/** Orders two versions of an OSV ecosystem (`compareVersions` from src/vuln/versions). */
export type CompareVersions = (ecosystem: string, a: string, b: string) => number;

export interface MatchOptions {
  /** Defaults to `compareVersions` (src/vuln/versions); tests and benchmarks may pass another. */
  compare?: CompareVersions;
  signal?: AbortSignal;
  /** The clock for end-of-life notes (tests pin it). */
  now?: Date;
}

export interface MatchResult {
  /** One finding per (package, vulnerability), sorted by package name, version, then id. */
  findings: Finding[];
  notes: MatchNote[];
}

/** `Debian:12` → base `Debian`, release `12`; `Alpine:v3.19` → `Alpine`, `v3.19`; `npm` → `npm`. */
function splitEcosystem(s: string): { base: string; release?: string } {
  const i = s.indexOf(':');
  return i < 0 ? { base: s } : { base: s.slice(0, i), release: s.slice(i + 1) };
}

/** An affected entry applies when ecosystem, release (if the entry names one) and normalised name agree. */
function isSamePackage(a: Affected, q: PackageQuery): boolean {
  const { base, release } = splitEcosystem(a.ecosystem);
  if (base !== q.ecosystem) return false;
  // Maven's suffix is a repository URL, not a release; entries without a release apply to all
  if (q.release !== undefined && release !== undefined && release !== q.release) return false;
  return normalizeName(base, a.name) === q.name;
}

/**
 * Distribution statuses read from an affected entry's `ecosystem_specific`/`database_specific`
 * (`status`, or Debian's security-tracker `nodsa`/`ignored`/`postponed` states).
 */
export function vendorStatus(specific: Record<string, unknown>): FindingStatus | undefined {
  const raw = specific.status ?? specific.state;
  if (typeof raw !== 'string') return undefined;
  const s = raw.toLowerCase().replace(/[\s-]+/g, '_');
  if (['will_not_fix', 'wont_fix', 'no_dsa', 'nodsa', 'ignored', 'postponed', 'deferred'].includes(s)) return 'will_not_fix';
  if (['end_of_life', 'eol'].includes(s)) return 'end_of_life';
  return undefined;
}

const noSpecific: Readonly<Record<string, unknown>> = Object.freeze({});

/** `ecosystem_specific` over `database_specific`; a new object only when the entry has both. */
function specificOf(a: Affected): Readonly<Record<string, unknown>> {
  if (!a.databaseSpecific) return a.ecosystemSpecific ?? noSpecific;
  return a.ecosystemSpecific ? { ...a.databaseSpecific, ...a.ecosystemSpecific } : a.databaseSpecific;
}

interface PackageMatchContext {
  query: PackageQuery;
  compareFor: (ecosystem: string) => Compare;
  sorted: SortedEventsCache;
  notes: MatchNote[];
}

/**
 * One comparator per ecosystem string, resolved once per `match()` call; the default resolves the
 * ecosystem's comparator on first use (an unknown ecosystem throws VULN_VERSION_INVALID then).
 */
function comparators(compare: CompareVersions | undefined): (ecosystem: string) => Compare {
  const byEcosystem = new Map<string, Compare>();
  return (ecosystem) => {
    let c = byEcosystem.get(ecosystem);
    if (!c) {
      c = compare ? (a, b) => compare(ecosystem, a, b) : lazyComparator(ecosystem);
      byEcosystem.set(ecosystem, c);
    }
    return c;
  };
}

function lazyComparator(ecosystem: string): Compare {
  let resolved: Comparator | undefined;
  return (a, b) => (resolved ??= comparatorFor(ecosystem)).compare(a, b);
}

function hitsFor(p: Package, advisories: readonly Advisory[], ctx: PackageMatchContext): Hit[] {
  const hits: Hit[] = [];
  for (const adv of advisories) {
    if (adv.withdrawn) continue;
    for (const aff of adv.affected) {
      if (!isSamePackage(aff, ctx.query)) continue;
      try {
        const verdict = evaluate(ctx.query.version, aff, ctx.compareFor(aff.ecosystem), ctx.sorted);
        if (!verdict.isAffected) continue;
        const specific = specificOf(aff);
        const status = verdict.fixedVersions.length > 0 ? 'fixed' : (vendorStatus(specific) ?? 'affected');
        hits.push({ advisory: adv, affected: aff, fixedVersions: verdict.fixedVersions, status, specific, isOsPackage: osPackageTypes.has(p.type) });
      } catch (err) {
        if (!(err instanceof BosunError)) throw err;
        ctx.notes.push({ level: 'warning', kind: 'version-invalid', message: err.message, package: p.purl, advisory: adv.id });
      }
    }
  }
  return hits;
}

/**
 * The findings of one package over its queries' answers. A later query (an rpm's binary name)
 * adds only vulnerabilities the earlier ones missed.
 */
function packageFindings(p: Package, plan: LookupPlan['perPackage'][number], answers: readonly Advisory[][], ctx: Omit<PackageMatchContext, 'query'>): Finding[] {
  // ids already reported, needed only when a package has more than one query
  const seen = plan.length > 1 ? new Set<string>() : undefined;
  const out: Finding[] = [];
  for (const { query, answer } of plan) {
    for (const finding of mergeHits(p, query, hitsFor(p, answers[answer]!, { ...ctx, query }), ctx.compareFor)) {
      if (seen) {
        const ids = [finding.id, ...finding.aliases];
        if (ids.some((id) => seen.has(id))) continue;
        for (const id of ids) seen.add(id);
      }
      out.push(finding);
    }
  }
  return out;
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new BosunError('ABORTED', 'matching was cancelled', { cause: signal.reason });
}

function osNotes(sbom: Sbom, os: ReturnType<typeof osEcosystem>, now: Date): MatchNote[] {
  const hasOsPackages = sbom.packages.some((p) => osPackageTypes.has(p.type));
  if (!os) {
    return hasOsPackages
      ? [{ level: 'warning', kind: 'os-unknown', message: `OS packages found but the distribution (${sbom.os?.id ?? 'no os-release'}) is not one bosun has advisories for; they were not matched` }]
      : [];
  }
  const eol = pastEndOfLife(os.ecosystem, os.release, now);
  return eol ? [{ level: 'warning', kind: 'eol', message: `${os.ecosystem} ${os.release} reached end of life on ${eol}; it gets no more security fixes, so findings are incomplete` }] : [];
}

/**
 * Packages per `forPackages` call. Small on purpose: a batch's advisory records are garbage once
 * its findings are built, and records that die young cost the garbage collector nothing, while a
 * whole SBOM's records (tens of MB decoded) outlive several scavenges and get copied into the old
 * generation. 100 took bench/match's cold SQLite match from 1.2 s to about 0.9 s.
 */
const PACKAGES_PER_LOOKUP = 100;

interface LookupPlan {
  /** Distinct lookups, asked of the source in one call. */
  queries: AdvisoryQuery[];
  /** Per package, its queries in order with the index of their answer. */
  perPackage: Array<Array<{ query: PackageQuery; answer: number }>>;
}

function planLookups(packages: readonly Package[], os: ReturnType<typeof osEcosystem>): LookupPlan {
  const index = new Map<string, number>();
  const queries: AdvisoryQuery[] = [];
  const perPackage = packages.map((p) => queriesFor(p, os).map((query) => {
    const key = `${query.ecosystem}\0${query.release ?? ''}\0${query.name}`;
    let answer = index.get(key);
    if (answer === undefined) {
      answer = queries.push({ ecosystem: query.ecosystem, ...(query.release ? { release: query.release } : {}), name: query.name }) - 1;
      index.set(key, answer);
    }
    return { query, answer };
  }));
  return { queries, perPackage };
}

/**
 * Matches every package of an SBOM against an advisory source. OS packages are looked up in their
 * distribution release's ecosystem (`Debian:12` never matches Debian 11 records) by source package
 * and source version; language packages by ecosystem and normalised name. Withdrawn records never
 * match. Records describing one vulnerability (linked by aliases or related ids) merge into one
 * finding per package. Throws `ABORTED` when `signal` fires; errors of the source propagate.
 */
export async function match(sbom: Sbom, source: AdvisorySource, opts: MatchOptions): Promise<MatchResult> {
  const compareFor = comparators(opts.compare);
  const sorted: SortedEventsCache = new WeakMap();
  const os = osEcosystem(sbom.os);
  const notes = osNotes(sbom, os, opts.now ?? new Date());
  const findings: Finding[] = [];
  for (let start = 0; start < sbom.packages.length; start += PACKAGES_PER_LOOKUP) {
    const packages = sbom.packages.slice(start, start + PACKAGES_PER_LOOKUP);
    const lookups = planLookups(packages, os);
    const answers = await source.forPackages(lookups.queries, opts.signal);
    packages.forEach((p, i) => {
      checkAborted(opts.signal);
      findings.push(...packageFindings(p, lookups.perPackage[i]!, answers, { compareFor, sorted, notes }));
    });
  }
  findings.sort((a, b) => byCodeUnit(a.package.name, b.package.name) || byCodeUnit(a.package.version, b.package.version) || byCodeUnit(a.id, b.id));
  return { findings, notes };
}
