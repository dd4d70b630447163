import type { SeverityLevel } from '../vuln/match/finding.js';
import type { ReportFinding, ScanReport } from '../vuln/scan/report.js';
import type { Writer } from './writer.js';
import { writeText } from './writer.js';

// GitHub code scanning ranks results by `security-severity` (a CVSS-like 0.0–10.0 string);
// findings without a CVSS score get the middle of their level's band.
const levelScore: Record<SeverityLevel, string> = { CRITICAL: '9.5', HIGH: '8.0', MEDIUM: '5.5', LOW: '2.0', UNKNOWN: '0.0' };
const sarifLevel: Record<SeverityLevel, 'error' | 'warning' | 'note'> = { CRITICAL: 'error', HIGH: 'error', MEDIUM: 'warning', LOW: 'note', UNKNOWN: 'note' };

function securitySeverity(f: ReportFinding): string {
  return f.severity.score !== undefined ? f.severity.score.toFixed(1) : levelScore[f.severity.level];
}

/** A SARIF artifact URI for a package location: relative to the scanned root, never empty. */
function artifactUri(f: ReportFinding, doc: ScanReport): string {
  const p = f.package.locations[0]?.path.replace(/^\/+/, '');
  return encodeURI(p && p.length > 0 ? p : doc.artifact.name);
}

function rule(f: ReportFinding): Record<string, unknown> {
  const text = f.title ?? `${f.id} in ${f.package.name}`;
  return {
    id: f.id,
    name: 'PackageVulnerability',
    shortDescription: { text },
    fullDescription: { text: `${text}${f.aliases.length > 0 ? ` (also ${f.aliases.join(', ')})` : ''}` },
    defaultConfiguration: { level: sarifLevel[f.severity.level] },
    ...(f.references[0] ? { helpUri: f.references[0] } : {}),
    help: {
      text: `Vulnerability ${f.id}\nSeverity: ${f.severity.level}\nPackage: ${f.package.name}\nFixed version: ${f.fixedVersion ?? 'none'}\n${f.references.join('\n')}`,
    },
    properties: { 'security-severity': securitySeverity(f), precision: 'very-high', tags: ['vulnerability', 'security', f.severity.level] },
  };
}

function result(f: ReportFinding, ruleIndex: number, doc: ScanReport): Record<string, unknown> {
  const fixed = f.fixedVersion ? `; fixed in ${f.fixedVersions.join(', ')}` : `; status ${f.status}`;
  const layer = f.package.locations[0]?.layer;
  return {
    ruleId: f.id,
    ruleIndex,
    level: sarifLevel[f.severity.level],
    message: { text: `${f.package.name} ${f.package.version} is affected by ${f.id} (${f.severity.level})${fixed}` },
    locations: [{
      physicalLocation: { artifactLocation: { uri: artifactUri(f, doc), uriBaseId: 'ROOTPATH' }, region: { startLine: 1 } },
      message: { text: `${doc.artifact.name}: ${f.package.purl}` },
    }],
    partialFingerprints: { 'bosun/v1': `${f.package.purl}|${f.id}` },
    ...(f.suppression ? {
      suppressions: [{ kind: 'external', status: 'accepted', justification: [f.suppression.kind, f.suppression.status, f.suppression.justification, f.suppression.origin].filter(Boolean).join(': ') }],
    } : {}),
    properties: { purl: f.package.purl, installedVersion: f.package.version, status: f.status, ...(layer ? { layerDiffId: layer } : {}) },
  };
}

/** The report as a SARIF 2.1.0 log: one run, one rule per vulnerability id, one result per finding. */
export function toSarif(doc: ScanReport): Record<string, unknown> {
  const findings = doc.results.flatMap((r) => r.findings);
  const rules: Array<Record<string, unknown>> = [];
  const index = new Map<string, number>();
  for (const f of findings) {
    if (index.has(f.id)) continue;
    index.set(f.id, rules.length);
    rules.push(rule(f));
  }
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'bosun', fullName: 'bosun vulnerability scanner', version: doc.metadata.scanner.version, rules } },
      results: findings.map((f) => result(f, index.get(f.id)!, doc)),
      columnKind: 'utf16CodeUnits',
      originalUriBaseIds: { ROOTPATH: { uri: 'file:///' } },
      properties: { artifact: doc.artifact, ...(doc.os ? { os: doc.os } : {}) },
    }],
  };
}

export const sarifWriter: Writer = {
  format: 'sarif',
  write: (doc, out) => writeText(out, `${JSON.stringify(toSarif(doc), null, 2)}\n`),
};
