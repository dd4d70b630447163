/**
 * The advisory model the matcher works on: the parts of an OSV 1.x record that matching and
 * reporting need, already validated (the OSV JSON codec at the import edge produces these).
 * spec: https://ossf.github.io/osv-schema/ — field names follow OSV.
 */

/** One event of an OSV range, in the order the record lists them. */
export type RangeEvent =
  | { introduced: string }
  | { fixed: string }
  | { last_affected: string }
  | { limit: string };

export interface AffectedRange {
  type: 'SEMVER' | 'ECOSYSTEM' | 'GIT';
  events: RangeEvent[];
}

export interface Severity {
  /** OSV's severity type: `CVSS_V2`, `CVSS_V3`, `CVSS_V4`, `Ubuntu`, … */
  type: string;
  score: string;
}

/** One `affected[]` entry of an OSV record. */
export interface Affected {
  /** The OSV ecosystem string as written, with any release suffix (`Debian:12`, `Alpine:v3.19`). */
  ecosystem: string;
  /** The package name as the ecosystem spells it (normalisation is the matcher's job). */
  name: string;
  ranges: AffectedRange[];
  /** Explicitly listed affected versions. */
  versions: string[];
  severity: Severity[];
  /** `ecosystem_specific` / `database_specific`: only the keys the matcher reads (osv.ts, `specificKeys`). */
  ecosystemSpecific?: Record<string, unknown>;
  databaseSpecific?: Record<string, unknown>;
}

export interface Advisory {
  id: string;
  modified: string;
  published?: string;
  /** Set when the record was withdrawn; such records never match. */
  withdrawn?: string;
  aliases: string[];
  related: string[];
  summary?: string;
  severity: Severity[];
  affected: Affected[];
  references: Array<{ type: string; url: string }>;
  databaseSpecific?: Record<string, unknown>;
}

/**
 * Where the matcher gets advisories (SQLite in production, in-memory fixtures in tests).
 * Implementers:
 * - `ecosystem` is the base OSV ecosystem (`Debian`, `npm`); `release` narrows distributions
 *   (`12` for `Debian:12`) and is undefined for language ecosystems;
 * - `name` is already normalised the way the ecosystem compares names;
 * - withdrawn records are never returned.
 */
export interface AdvisorySource {
  /**
   * The records for each query, in query order (`result[i]` answers `queries[i]`). One call for
   * a whole SBOM, so a database answers it in a few statements rather than one per package.
   */
  forPackages(queries: readonly AdvisoryQuery[], signal?: AbortSignal): Promise<Advisory[][]>;
}

/** One package lookup: see `AdvisorySource` for what each field means. */
export interface AdvisoryQuery {
  ecosystem: string;
  release?: string;
  name: string;
}
