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
  const order = (x: Event, y: Event): number => compareEventVersions(x.version, y.version, compare) || tieRank[x.kind] - tieRank[y.kind];
  const out = events.map(toEvent);
  // records nearly always list their events in order already; checking costs no allocation, where
  // sort() copies the array even then (bench/match)
  for (let i = 1; i < out.length; i++) if (order(out[i - 1]!, out[i]!) > 0) return out.sort(order);
  return out;
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

/** Appends the `fixed` versions of `range` above `version` to `out`. */
function collectFixesAbove(version: string, range: AffectedRange, compare: Compare, out: string[]): void {
  for (const e of range.events) if ('fixed' in e && compare(e.fixed, version) > 0) out.push(e.fixed);
}

function sortUnique(versions: string[], compare: Compare): string[] {
  if (versions.length < 2) return versions;
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
  const fixes: string[] = [];
  let isInAnyRange = false;
  for (const r of affected.ranges) {
    if (!isInRange(version, r, compare, cache)) continue;
    isInAnyRange = true;
    collectFixesAbove(version, r, compare, fixes);
  }
  if (!isInAnyRange) {
    if (!affected.versions.includes(version)) return { isAffected: false, fixedVersions: [] };
    // a version matched only by the list still takes the fixes its ranges name above it
    for (const r of affected.ranges) if (r.type !== 'GIT') collectFixesAbove(version, r, compare, fixes);
  }
  return { isAffected: true, fixedVersions: sortUnique(fixes, compare) };
}
