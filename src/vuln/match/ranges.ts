import type { Affected, AffectedRange, RangeEvent } from '../advisory.js';

/**
 * Orders two versions of one ecosystem: negative, 0 or positive. May throw (the ecosystem
 * comparators throw `InvalidVersionError` for a version they reject); these functions let it pass.
 */
export type Compare = (a: string, b: string) => number;

/** What one `affected[]` entry says about one installed version. */
export interface RangeVerdict {
  isAffected: boolean;
  /** `fixed` versions above the installed one, from the ranges that affect it, lowest first, unique. */
  fixedVersions: string[];
}

type EventKind = 'introduced' | 'fixed' | 'last_affected' | 'limit';

/** One range event, decoded. */
export interface Event {
  kind: EventKind;
  version: string;
}

/**
 * Sorted events per range, reused across packages: sorting dominates matching otherwise. Valid for
 * one comparator only (a cache per `match()` call).
 */
export type SortedEventsCache = WeakMap<AffectedRange, Event[]>;

// Ties between events at one version: introduced first, so `introduced: X, fixed: X` leaves X
// unaffected, as the spec's loop would when given the events in that order.
const tieRank: Record<EventKind, number> = { introduced: 0, last_affected: 1, fixed: 2, limit: 3 };

function toEvent(e: RangeEvent): Event {
  if ('introduced' in e) return { kind: 'introduced', version: e.introduced };
  if ('fixed' in e) return { kind: 'fixed', version: e.fixed };
  if ('last_affected' in e) return { kind: 'last_affected', version: e.last_affected };
  return { kind: 'limit', version: e.limit };
}

/** OSV's "0" sentinel (introduced: every version) sorts before any real version. */
function compareEventVersions(a: string, b: string, compare: Compare): number {
  if (a === b) return 0;
  if (a === '0') return -1;
  if (b === '0') return 1;
  return compare(a, b);
}

/**
 * The events of a range sorted by version with the ecosystem's comparator (spec: osv-schema,
 * "Evaluation": `sorted(range.events)`); "0" first, ties ordered introduced < last_affected <
 * fixed < limit.
 */
export function sortEvents(events: readonly RangeEvent[], compare: Compare): Event[] {
  return events.map(toEvent).sort((x, y) => compareEventVersions(x.version, y.version, compare) || tieRank[x.kind] - tieRank[y.kind]);
}

/** spec: osv-schema "Evaluation", `BeforeLimits`: no limit events means an implicit "*". */
function isBeforeLimits(version: string, events: readonly Event[], compare: Compare): boolean {
  const limits = events.filter((e) => e.kind === 'limit');
  if (limits.length === 0) return true;
  return limits.some((e) => e.version === '*' || compare(version, e.version) < 0);
}

/** True when `version` lies in one SEMVER or ECOSYSTEM range; GIT ranges never match a package version. */
export function isInRange(version: string, range: AffectedRange, compare: Compare, cache?: SortedEventsCache): boolean {
  if (range.type === 'GIT') return false;
  let events = cache?.get(range);
  if (!events) {
    events = sortEvents(range.events, compare);
    cache?.set(range, events);
  }
  if (!isBeforeLimits(version, events, compare)) return false;
  let isVulnerable = false;
  for (const e of events) {
    if (e.kind === 'introduced' && (e.version === '0' || compare(version, e.version) >= 0)) isVulnerable = true;
    else if (e.kind === 'fixed' && compare(version, e.version) >= 0) isVulnerable = false;
    else if (e.kind === 'last_affected' && compare(version, e.version) > 0) isVulnerable = false;
  }
  return isVulnerable;
}

function fixesAbove(version: string, range: AffectedRange, compare: Compare): string[] {
  return range.events.flatMap((e) => ('fixed' in e && compare(e.fixed, version) > 0 ? [e.fixed] : []));
}

function sortUnique(versions: readonly string[], compare: Compare): string[] {
  const sorted = [...new Set(versions)].sort(compare);
  return sorted.filter((v, i) => i === 0 || compare(sorted[i - 1]!, v) !== 0);
}

/**
 * Evaluates one `affected[]` entry for an installed version (spec: osv-schema "Evaluation",
 * `IncludedInVersions || IncludedInRanges`): affected when the version is listed in `versions`
 * (exact string match, as the spec says) or lies in any SEMVER/ECOSYSTEM range. The fixed
 * versions offered are those above the installed version in the ranges that affect it.
 */
export function evaluate(version: string, affected: Pick<Affected, 'ranges' | 'versions'>, compare: Compare, cache?: SortedEventsCache): RangeVerdict {
  const ranges = affected.ranges.filter((r) => r.type !== 'GIT');
  const hitRanges = ranges.filter((r) => isInRange(version, r, compare, cache));
  const isListed = affected.versions.includes(version);
  if (!isListed && hitRanges.length === 0) return { isAffected: false, fixedVersions: [] };
  // a version matched only by the list still takes the fixes its ranges name above it
  const fixSources = hitRanges.length > 0 ? hitRanges : ranges;
  return { isAffected: true, fixedVersions: sortUnique(fixSources.flatMap((r) => fixesAbove(version, r, compare)), compare) };
}
