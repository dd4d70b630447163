import type { Location, PackageType } from '../../sbom/model.js';

/**
 * What a finding means for the user, in Trivy's words:
 * - `fixed`: a fixed version exists (`fixedVersion` says which to move to);
 * - `affected`: no fix is known;
 * - `will_not_fix`: the distribution decided not to fix it (Debian no-dsa/ignored, Ubuntu deferred…);
 * - `end_of_life`: the distribution release no longer gets fixes for it.
 */
export const findingStatuses = ['fixed', 'affected', 'will_not_fix', 'end_of_life'] as const;
export type FindingStatus = (typeof findingStatuses)[number];

/** Severity levels, lowest first (Trivy's names; GHSA's MODERATE is MEDIUM). */
export const severityLevels = ['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type SeverityLevel = (typeof severityLevels)[number];

/** One CVSS vector from an advisory, scored by its own specification's base-score formula. */
export interface CvssScore {
  version: '2.0' | '3.0' | '3.1' | '4.0';
  vector: string;
  /** Base score, 0.0–10.0. */
  score: number;
  /** The advisory record that carried the vector. */
  advisory: string;
}

/** The severity chosen for a finding and where it came from (docs/scanning.md, "Severity precedence"). */
export interface SeverityRating {
  level: SeverityLevel;
  /** The numeric score behind `level`, when it came from CVSS. */
  score?: number;
  /** `distribution` (vendor urgency/priority), `cvss`, `ghsa` (database_specific.severity) or `none`. */
  source: 'distribution' | 'cvss' | 'ghsa' | 'none';
  /** The advisory record the rating was read from, and the rating's own type (`CVSS_V3`, `Ubuntu`, …). */
  advisory?: string;
  type?: string;
}

/** The package a finding is about, as the SBOM describes it. */
export interface FindingPackage {
  id: string;
  name: string;
  version: string;
  type: PackageType;
  purl: string;
  locations: Location[];
  /** The source package the advisory named, when it is not the package itself (deb source, apk origin). */
  sourceName?: string;
  sourceVersion?: string;
}

/** One vulnerability in one package, merged over every advisory record that describes it. */
export interface Finding {
  /** The id shown first: the CVE when the records agree on one, else the first record's id. */
  id: string;
  /** Every other id of the same vulnerability (record ids, aliases, related), sorted. */
  aliases: string[];
  /** The advisory records that matched, sorted. */
  advisories: string[];
  package: FindingPackage;
  /** The OSV ecosystem string matched (`Debian:12`, `npm`). */
  ecosystem: string;
  /** The version compared against the ranges (the source version for deb packages). */
  installedVersion: string;
  status: FindingStatus;
  /** The version to move to: the lowest fixed version above the installed one. */
  fixedVersion?: string;
  /** Every fixed version above the installed one, lowest first (several release lines). */
  fixedVersions: string[];
  severity: SeverityRating;
  cvss: CvssScore[];
  title?: string;
  /** Reference URLs, deduplicated, in record order. */
  references: string[];
  published?: string;
  modified?: string;
}

/** A non-fatal matching problem (an unparsable version), kept so nothing is dropped silently. */
export interface MatchNote {
  level: 'warning' | 'info';
  /** `eol` (release past end of life), `version-invalid`, `os-unknown`. */
  kind: 'eol' | 'version-invalid' | 'os-unknown';
  message: string;
  package?: string;
  advisory?: string;
}
