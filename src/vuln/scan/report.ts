import type { Sbom } from '../../sbom/model.js';
import type { Finding, FindingPackage, MatchNote, SeverityLevel } from '../match/finding.js';
import type { Suppression } from '../suppress/apply.js';

/** Version of the JSON report schema (docs/report-json.md); bump on any incompatible change. */
export const REPORT_SCHEMA_VERSION = 1;

export type ReportFinding = Finding & { suppression?: Suppression };

/** Findings of one target: the OS packages, or one language ecosystem's packages. */
export interface ScanResult {
  /** `<artifact> (debian 12)` for OS packages, `Node.js`, `Python`, `Java`, `Go`… for libraries. */
  target: string;
  class: 'os-pkgs' | 'lang-pkgs';
  /** The purl type of the target's packages (`deb`, `npm`…). */
  type: string;
  /** Findings that passed the filters, suppressed ones included (marked), sorted by package then id. */
  findings: ReportFinding[];
  /** Every package of the target, with `--list-all-pkgs`. */
  packages?: FindingPackage[];
}

/** When the scan ran and with which advisory data. */
export interface ScanMetadata {
  startedAt: string;
  finishedAt: string;
  /** `uri` is bosun's purl (`pkg:npm/bosun@<version>`). */
  scanner: { name: 'bosun'; version: string; uri: string };
  /** The advisory database: where it came from and how current it is. */
  db: { kind: string; location?: string; updatedAt?: string; records?: number };
}

/** The whole vulnerability report every writer renders. */
export interface ScanReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  artifact: { name: string; kind: Sbom['source']['kind']; digest?: string; platform?: string };
  os?: { family: string; version?: string; codename?: string; prettyName?: string; eolDate?: string };
  metadata: ScanMetadata;
  results: ScanResult[];
  /** Counts of unsuppressed findings by severity, over all results. */
  summary: Record<SeverityLevel, number> & { total: number; suppressed: number };
  notes: MatchNote[];
}
