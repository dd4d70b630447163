import type { Package, Sbom } from '../../sbom/model.js';
import type { AdvisorySource } from '../advisory.js';
import { osEcosystem, osPackageTypes } from '../match/ecosystem.js';
import { eolDates } from '../match/eol.js';
import { severityLevels, type FindingPackage } from '../match/finding.js';
import { match, type CompareVersions } from '../match/match.js';
import { applySuppressions, type SuppressOptions } from '../suppress/apply.js';
import { filterFindings, isPkgTypeSelected, type FilterOptions } from './filter.js';
import { REPORT_SCHEMA_VERSION, type ReportFinding, type ScanMetadata, type ScanReport, type ScanResult } from './report.js';

export interface ScanOptions extends FilterOptions, Omit<SuppressOptions, 'artifactDigest' | 'now'> {
  compare?: CompareVersions;
  /** List every package of each target (`--list-all-pkgs`). */
  listAllPackages?: boolean;
  platform?: string;
  scannerVersion: string;
  db: ScanMetadata['db'];
  /** When the scan began (the SBOM pass included); defaults to when `scanSbom` was called. */
  startedAt?: Date;
  now?: () => Date;
  signal?: AbortSignal;
}

const languageTargets: Readonly<Record<string, string>> = {
  npm: 'Node.js', pypi: 'Python', golang: 'Go', maven: 'Java', gem: 'Ruby', cargo: 'Rust', nuget: '.NET', composer: 'PHP',
};

function targetOf(type: string, sbom: Sbom): { target: string; class: ScanResult['class'] } {
  if (osPackageTypes.has(type as never)) {
    const os = sbom.os;
    const label = os ? `${os.id} ${os.versionId ?? ''}`.trim() : 'unknown OS';
    return { target: `${sbom.source.name} (${label})`, class: 'os-pkgs' };
  }
  return { target: languageTargets[type] ?? type, class: 'lang-pkgs' };
}

function toFindingPackage(p: Package): FindingPackage {
  return {
    id: p.id, name: p.name, version: p.version, type: p.type, purl: p.purl, locations: p.locations,
    ...(p.metadata.sourceName && p.metadata.sourceName !== p.name ? { sourceName: p.metadata.sourceName } : {}),
    ...(p.metadata.sourceVersion && p.metadata.sourceVersion !== p.version ? { sourceVersion: p.metadata.sourceVersion } : {}),
  };
}

function groupResults(sbom: Sbom, findings: readonly ReportFinding[], opts: ScanOptions): ScanResult[] {
  const results = new Map<string, ScanResult>();
  const resultFor = (type: string): ScanResult => {
    const { target, class: cls } = targetOf(type, sbom);
    const key = `${cls}\0${target}\0${type}`;
    let r = results.get(key);
    if (!r) results.set(key, (r = { target, class: cls, type, findings: [], ...(opts.listAllPackages ? { packages: [] } : {}) }));
    return r;
  };
  for (const f of findings) resultFor(f.package.type).findings.push(f);
  if (opts.listAllPackages) {
    for (const p of sbom.packages) if (isPkgTypeSelected(p.type, opts.pkgTypes)) resultFor(p.type).packages!.push(toFindingPackage(p));
  }
  return [...results.values()].sort((a, b) => (a.class === b.class ? a.target.localeCompare(b.target) : a.class === 'os-pkgs' ? -1 : 1));
}

function summarize(findings: readonly ReportFinding[]): ScanReport['summary'] {
  const summary = Object.fromEntries(severityLevels.map((l) => [l, 0])) as ScanReport['summary'];
  summary.total = 0;
  summary.suppressed = 0;
  for (const f of findings) {
    if (f.suppression) summary.suppressed++;
    else {
      summary[f.severity.level]++;
      summary.total++;
    }
  }
  return summary;
}

function osOf(sbom: Sbom): ScanReport['os'] {
  if (!sbom.os) return undefined;
  const eco = osEcosystem(sbom.os);
  const eolDate = eco ? eolDates[eco.ecosystem]?.[eco.release] : undefined;
  const { id, versionId, versionCodename, prettyName } = sbom.os;
  return {
    family: id,
    ...(versionId ? { version: versionId } : {}), ...(versionCodename ? { codename: versionCodename } : {}),
    ...(prettyName ? { prettyName } : {}), ...(eolDate ? { eolDate } : {}),
  };
}

/**
 * Matches an SBOM, marks suppressed findings (ignore rules, VEX), applies the display filters and
 * builds the report every writer renders. Suppressed findings stay in the report, marked; filtered
 * ones are dropped. Errors of the advisory source and `ABORTED` propagate.
 */
export async function scanSbom(sbom: Sbom, source: AdvisorySource, opts: ScanOptions): Promise<ScanReport> {
  const now = opts.now ?? (() => new Date());
  const startedAt = opts.startedAt ?? now();
  const matched = await match(sbom, source, { ...(opts.compare ? { compare: opts.compare } : {}), now: startedAt, ...(opts.signal ? { signal: opts.signal } : {}) });
  const suppressed = applySuppressions(matched.findings, {
    ...(opts.rules ? { rules: opts.rules } : {}), ...(opts.vex ? { vex: opts.vex } : {}),
    ...(sbom.source.digest ? { artifactDigest: sbom.source.digest } : {}), now: startedAt,
  });
  const findings = filterFindings(suppressed, opts);
  const os = osOf(sbom);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    artifact: { name: sbom.source.name, kind: sbom.source.kind, ...(sbom.source.digest ? { digest: sbom.source.digest } : {}), ...(opts.platform ? { platform: opts.platform } : {}) },
    ...(os ? { os } : {}),
    metadata: {
      startedAt: startedAt.toISOString(), finishedAt: now().toISOString(),
      scanner: { name: 'bosun', version: opts.scannerVersion, uri: `pkg:npm/bosun@${opts.scannerVersion}` }, db: opts.db,
    },
    results: groupResults(sbom, findings, opts),
    summary: summarize(findings),
    notes: matched.notes,
  };
}
