import { createHash } from 'node:crypto';
import type { CvssScore, FindingPackage, SeverityLevel } from '../vuln/match/finding.js';
import { levelForScore } from '../vuln/match/severity.js';
import type { ReportFinding, ScanReport } from '../vuln/scan/report.js';
import type { Writer } from './writer.js';
import { writeText } from './writer.js';

// spec: CycloneDX 1.6 JSON, https://cyclonedx.org/docs/1.6/json/#vulnerabilities

type Json = Record<string, unknown>;

const cvssMethod: Record<CvssScore['version'], string> = { '2.0': 'CVSSv2', '3.0': 'CVSSv3', '3.1': 'CVSSv31', '4.0': 'CVSSv4' };

// OpenVEX justifications in CycloneDX's `analysis.justification` vocabulary (their meanings line up)
const cdxJustification: Readonly<Record<string, string>> = {
  component_not_present: 'code_not_present',
  vulnerable_code_not_present: 'code_not_present',
  vulnerable_code_not_in_execute_path: 'code_not_reachable',
  vulnerable_code_cannot_be_controlled_by_adversary: 'requires_environment',
  inline_mitigations_already_exist: 'protected_by_mitigating_control',
};

function cdxSeverity(level: SeverityLevel): string {
  return level === 'UNKNOWN' ? 'unknown' : level.toLowerCase();
}

/** A serial number derived from the report's content, so equal reports give equal BOMs. */
function serialNumber(doc: ScanReport): string {
  const h = createHash('sha256').update(JSON.stringify([doc.artifact, doc.results])).digest('hex');
  const variant = ((parseInt(h.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function component(p: FindingPackage): Json {
  return { type: 'library', 'bom-ref': p.purl, name: p.name, version: p.version, purl: p.purl };
}

function ratings(f: ReportFinding): Json[] {
  const fromCvss = f.cvss.map((c) => ({
    source: { name: c.advisory }, score: c.score, severity: cdxSeverity(levelForScore(c.score, c.version)), method: cvssMethod[c.version], vector: c.vector,
  }));
  if (fromCvss.length > 0) return fromCvss;
  return [{ ...(f.severity.advisory ? { source: { name: f.severity.advisory } } : {}), severity: cdxSeverity(f.severity.level), method: 'other' }];
}

// CycloneDX's own `analysis` vocabularies: a CycloneDX VEX document's values pass through as written
const cdxStates: ReadonlySet<string> = new Set(['resolved', 'resolved_with_pedigree', 'false_positive', 'not_affected']);
const cdxJustifications: ReadonlySet<string> = new Set([
  'code_not_present', 'code_not_reachable', 'requires_configuration', 'requires_dependency', 'requires_environment',
  'protected_by_compiler', 'protected_at_runtime', 'protected_at_perimeter', 'protected_by_mitigating_control',
]);

function analysis(f: ReportFinding): Json | undefined {
  const s = f.suppression;
  if (!s || s.kind !== 'vex') return undefined;
  const written = s.documentStatus ?? s.status ?? '';
  const justification = s.justification && (cdxJustifications.has(s.justification) ? s.justification : cdxJustification[s.justification]);
  return {
    state: cdxStates.has(written) ? written : s.status === 'fixed' ? 'resolved' : 'not_affected',
    ...(justification ? { justification } : {}),
    detail: [s.statement, `from ${s.origin}`].filter(Boolean).join('; '),
  };
}

function vulnerability(f: ReportFinding, index: number): Json {
  const a = analysis(f);
  return {
    'bom-ref': `vuln-${index}`,
    id: f.id,
    source: { name: f.advisories[0] ?? f.id },
    ...(f.aliases.length > 0 ? { references: f.aliases.map((id) => ({ id, source: { name: id.split('-')[0] } })) } : {}),
    ratings: ratings(f),
    ...(f.title ? { description: f.title } : {}),
    ...(f.fixedVersion ? { recommendation: `Upgrade ${f.package.name} to ${f.fixedVersion} or later` } : {}),
    ...(f.references.length > 0 ? { advisories: f.references.map((url) => ({ url })) } : {}),
    ...(f.published ? { published: f.published } : {}),
    ...(f.modified ? { updated: f.modified } : {}),
    ...(a ? { analysis: a } : {}),
    affects: [{ ref: f.package.purl, versions: [{ version: f.package.version, status: 'affected' }] }],
    properties: [
      { name: 'bosun:status', value: f.status },
      ...(f.suppression ? [{ name: 'bosun:suppressed', value: `${f.suppression.kind}: ${f.suppression.origin}` }] : []),
    ],
  };
}

/** The report as a CycloneDX 1.6 BOM: the affected packages as components and every finding in `vulnerabilities`. */
export function toCycloneDxVex(doc: ScanReport): Json {
  const findings = doc.results.flatMap((r) => r.findings);
  const packages = new Map<string, FindingPackage>();
  for (const f of findings) packages.set(f.package.purl, f.package);
  return {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: serialNumber(doc),
    version: 1,
    metadata: {
      timestamp: doc.metadata.finishedAt,
      tools: { components: [{ type: 'application', name: 'bosun', version: doc.metadata.scanner.version }] },
      component: { type: doc.artifact.kind === 'image' ? 'container' : 'application', 'bom-ref': 'artifact', name: doc.artifact.name, ...(doc.artifact.digest ? { version: doc.artifact.digest } : {}) },
    },
    components: [...packages.values()].sort((a, b) => a.purl.localeCompare(b.purl)).map(component),
    vulnerabilities: findings.map(vulnerability),
  };
}

export const cycloneDxWriter: Writer = {
  format: 'cyclonedx',
  write: (doc, out) => writeText(out, `${JSON.stringify(toCycloneDxVex(doc), null, 2)}\n`),
};
