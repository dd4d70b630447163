import type { Package } from '../../sbom/model.js';
import type { Advisory, Affected } from '../advisory.js';
import type { PackageQuery } from './ecosystem.js';
import type { Finding, FindingPackage, FindingStatus } from './finding.js';
import { cvssScores, rateSeverity } from './severity.js';

/** Plain code-unit order: stable across locales, and much cheaper than localeCompare. */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One advisory record's affected entry that matched one package. */
export interface Hit {
  advisory: Advisory;
  affected: Affected;
  fixedVersions: string[];
  status: FindingStatus;
  specific: Readonly<Record<string, unknown>>;
  isOsPackage: boolean;
}

type Compare = (a: string, b: string) => number;

function idsOf(a: Advisory): string[] {
  return [a.id, ...a.aliases, ...a.related];
}

/**
 * Groups hits that describe one vulnerability: records sharing any id (their own, an alias or a
 * related id) land in one group. Within one package this is safe for `related` too, since two
 * records affecting the same package and naming each other describe the same flaw there.
 */
function groupHits(hits: readonly Hit[]): Hit[][] {
  const parent = hits.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const owner = new Map<string, number>();
  hits.forEach((h, i) => {
    for (const id of idsOf(h.advisory)) {
      const j = owner.get(id);
      if (j === undefined) owner.set(id, i);
      else parent[find(i)] = find(j);
    }
  });
  const groups = new Map<number, Hit[]>();
  hits.forEach((h, i) => {
    const root = find(i);
    const group = groups.get(root);
    if (group) group.push(h);
    else groups.set(root, [h]);
  });
  return [...groups.values()];
}

/**
 * The distinct values in code-unit order. A list of one is returned as it is: nearly every finding
 * comes from one record, and sorting allocates even for one element (bench/match).
 */
function uniqueSorted(values: string[]): string[] {
  return values.length < 2 ? values : [...new Set(values)].sort(byCodeUnit);
}

/** The lowest id starting with `prefix`, or undefined. */
function lowestWithPrefix(ids: readonly string[], prefix: string): string | undefined {
  let best: string | undefined;
  for (const id of ids) if (id.startsWith(prefix) && (best === undefined || id < best)) best = id;
  return best;
}

/** The id shown first: the lowest CVE id, else the lowest GHSA id, else the lowest record id (sorted). */
function primaryId(ids: readonly string[], sortedRecordIds: readonly string[]): string {
  return lowestWithPrefix(ids, 'CVE-') ?? lowestWithPrefix(ids, 'GHSA-') ?? sortedRecordIds[0]!;
}

const statusRank: Record<FindingStatus, number> = { fixed: 3, will_not_fix: 2, end_of_life: 1, affected: 0 };

/**
 * Merged status: `fixed` when any record offers a fix. The version to move to is the highest of the
 * records' lowest fixes (moving there clears every record), and every fix above the installed
 * version is kept.
 */
function mergeStatus(group: readonly Hit[], compare: Compare): Pick<Finding, 'status' | 'fixedVersion' | 'fixedVersions'> {
  if (group.length === 1) {
    const [only] = group as [Hit];
    return { status: only.status, fixedVersions: only.fixedVersions, ...(only.fixedVersions[0] !== undefined ? { fixedVersion: only.fixedVersions[0] } : {}) };
  }
  let status = group[0]!.status;
  for (const h of group) if (statusRank[h.status] > statusRank[status]) status = h.status;
  const lowest = group.flatMap((h) => (h.fixedVersions[0] !== undefined ? [h.fixedVersions[0]] : []));
  const all = [...new Set(group.flatMap((h) => h.fixedVersions))].sort(compare);
  const fixedVersion = lowest.sort(compare).at(-1);
  return { status, fixedVersions: all, ...(fixedVersion !== undefined ? { fixedVersion } : {}) };
}

function findingPackage(p: Package, q: PackageQuery): FindingPackage {
  return {
    id: p.id, name: p.name, version: p.version, type: p.type, purl: p.purl, locations: p.locations,
    ...(q.isSource ? { sourceName: q.name, sourceVersion: q.version } : {}),
  };
}

/** The lowest (or, with `highest`, the highest) non-empty value in code-unit order. */
function extremeString(values: ReadonlyArray<string | undefined>, highest = false): string | undefined {
  let best: string | undefined;
  for (const v of values) if (v && (best === undefined || (highest ? v > best : v < best))) best = v;
  return best;
}

function referencesOf(records: readonly Hit[]): string[] {
  const urls = records.flatMap((h) => h.advisory.references.map((r) => r.url));
  return records.length === 1 && urls.length < 2 ? urls : [...new Set(urls)];
}

/** Turns the hits of one package into one finding per vulnerability, sorted by id. */
export function mergeHits(p: Package, q: PackageQuery, hits: readonly Hit[], compareFor: (ecosystem: string) => Compare): Finding[] {
  const findings = groupHits(hits).map((group): Finding => {
    const records = group.length === 1 ? group : [...group].sort((a, b) => byCodeUnit(a.advisory.id, b.advisory.id));
    const recordIds = uniqueSorted(records.map((h) => h.advisory.id));
    const ids = records.length === 1 ? idsOf(records[0]!.advisory) : [...new Set(records.flatMap((h) => idsOf(h.advisory)))];
    const id = primaryId(ids, recordIds);
    const ecosystem = records[0]!.affected.ecosystem;
    const rated = records.map((h) => ({ advisory: h.advisory, severities: h.affected.severity, specific: h.specific, isOsPackage: h.isOsPackage }));
    const cvss = cvssScores(rated);
    const title = records.find((h) => h.advisory.summary)?.advisory.summary;
    const published = extremeString(records.map((h) => h.advisory.published));
    const modified = extremeString(records.map((h) => h.advisory.modified), true);
    return {
      id,
      aliases: uniqueSorted(ids.filter((x) => x !== id)),
      advisories: recordIds,
      package: findingPackage(p, q),
      ecosystem,
      installedVersion: q.version,
      ...mergeStatus(records, compareFor(ecosystem)),
      severity: rateSeverity(rated, cvss),
      cvss,
      ...(title ? { title } : {}),
      references: referencesOf(records),
      ...(published ? { published } : {}),
      ...(modified ? { modified } : {}),
    };
  });
  return findings.length < 2 ? findings : findings.sort((a, b) => byCodeUnit(a.id, b.id));
}
