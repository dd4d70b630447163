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
  specific: Record<string, unknown>;
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

/** The id shown first: the lowest CVE id, else the lowest GHSA id, else the lowest record id. */
function primaryId(ids: readonly string[], recordIds: readonly string[]): string {
  const sorted = [...ids].sort();
  return sorted.find((id) => id.startsWith('CVE-')) ?? sorted.find((id) => id.startsWith('GHSA-')) ?? [...recordIds].sort()[0]!;
}

const statusRank: Record<FindingStatus, number> = { fixed: 3, will_not_fix: 2, end_of_life: 1, affected: 0 };

/**
 * Merged status: `fixed` when any record offers a fix. The version to move to is the highest of the
 * records' lowest fixes (moving there clears every record), and every fix above the installed
 * version is kept.
 */
function mergeStatus(group: readonly Hit[], compare: Compare): Pick<Finding, 'status' | 'fixedVersion' | 'fixedVersions'> {
  const status = group.map((h) => h.status).sort((a, b) => statusRank[b] - statusRank[a])[0]!;
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

function firstString(values: ReadonlyArray<string | undefined>): string | undefined {
  return values.find((v) => v !== undefined && v !== '');
}

/** Turns the hits of one package into one finding per vulnerability, sorted by id. */
export function mergeHits(p: Package, q: PackageQuery, hits: readonly Hit[], compareFor: (ecosystem: string) => Compare): Finding[] {
  return groupHits(hits).map((group) => {
    const records = [...group].sort((a, b) => byCodeUnit(a.advisory.id, b.advisory.id));
    const recordIds = [...new Set(records.map((h) => h.advisory.id))];
    const ids = [...new Set(records.flatMap((h) => idsOf(h.advisory)))];
    const id = primaryId(ids, recordIds);
    const ecosystem = records[0]!.affected.ecosystem;
    const rated = records.map((h) => ({ advisory: h.advisory, severities: h.affected.severity, specific: h.specific, isOsPackage: h.isOsPackage }));
    const cvss = cvssScores(rated);
    const title = firstString(records.map((h) => h.advisory.summary));
    const published = firstString(records.map((h) => h.advisory.published).sort());
    const modified = firstString(records.map((h) => h.advisory.modified).sort().reverse());
    return {
      id,
      aliases: ids.filter((x) => x !== id).sort(),
      advisories: recordIds,
      package: findingPackage(p, q),
      ecosystem,
      installedVersion: q.version,
      ...mergeStatus(records, compareFor(ecosystem)),
      severity: rateSeverity(rated, cvss),
      cvss,
      ...(title ? { title } : {}),
      references: [...new Set(records.flatMap((h) => h.advisory.references.map((r) => r.url)))],
      ...(published ? { published } : {}),
      ...(modified ? { modified } : {}),
    };
  }).sort((a, b) => byCodeUnit(a.id, b.id));
}
