import { severityLevels } from '../vuln/match/finding.js';
import type { ReportFinding, ScanReport, ScanResult } from '../vuln/scan/report.js';
import type { Writer } from './writer.js';
import { writeText } from './writer.js';

const TITLE_WIDTH = 60;

/** A box-free, space-aligned table: header row, dashed rule, rows; trailing spaces trimmed. */
function renderTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function severityLine(findings: readonly ReportFinding[]): string {
  const live = findings.filter((f) => !f.suppression);
  const counts = severityLevels.map((l) => `${l}: ${live.filter((f) => f.severity.level === l).length}`);
  const suppressed = findings.length - live.length;
  return `Total: ${live.length} (${counts.join(', ')})${suppressed > 0 ? `, suppressed: ${suppressed}` : ''}`;
}

function findingRow(f: ReportFinding): string[] {
  const library = f.package.sourceName ? `${f.package.name} (${f.package.sourceName})` : f.package.name;
  return [library, f.id, f.severity.level, f.status, f.package.version, f.fixedVersions.join(', '), truncate(f.title ?? '', TITLE_WIDTH)];
}

function renderResult(r: ScanResult): string {
  const heading = `${r.target} (${r.type})`;
  const live = r.findings.filter((f) => !f.suppression);
  const suppressed = r.findings.filter((f) => f.suppression);
  const parts = [`${heading}\n${'='.repeat(heading.length)}`, severityLine(r.findings)];
  if (live.length > 0) {
    parts.push(renderTable(['Library', 'Vulnerability', 'Severity', 'Status', 'Installed', 'Fixed', 'Title'], live.map(findingRow)));
  }
  if (suppressed.length > 0) {
    parts.push(`Suppressed:\n${renderTable(['Library', 'Vulnerability', 'Reason', 'Origin'], suppressed.map((f) => [
      f.package.name, f.id, f.suppression!.kind === 'vex' ? `VEX ${f.suppression!.status ?? ''} ${f.suppression!.justification ?? ''}`.trim() : 'ignore file', f.suppression!.origin,
    ]))}`);
  }
  if (r.packages) {
    parts.push(`Packages (${r.packages.length}):\n${renderTable(['Library', 'Version', 'Purl'], r.packages.map((p) => [p.name, p.version, p.purl]))}`);
  }
  return parts.join('\n\n');
}

/** The human report: notes first, then per target a summary line by severity and a findings table. */
export function renderReportTable(doc: ScanReport): string {
  const notes = doc.notes.map((n) => `${n.level.toUpperCase()}: ${n.message}${n.package ? ` (${n.package})` : ''}`);
  const head = `${doc.artifact.name}${doc.os?.prettyName ? ` (${doc.os.prettyName})` : ''}`;
  const body = doc.results.length > 0 ? doc.results.map(renderResult) : ['No packages with known vulnerabilities.'];
  return `${[...notes, head, ...body].join('\n\n')}\n`;
}

export const tableWriter: Writer = {
  format: 'table',
  write: (doc, out) => writeText(out, renderReportTable(doc)),
};
