import { osPackageTypes } from '../match/ecosystem.js';
import type { Finding, SeverityLevel } from '../match/finding.js';

export const pkgTypeClasses = ['os', 'library'] as const;
export type PkgTypeClass = (typeof pkgTypeClasses)[number];

/** Display filters, as Trivy's flags: they drop findings from the report (suppression marks them instead). */
export interface FilterOptions {
  /** Keep only these severities (`--severity`); all when undefined. */
  severities?: readonly SeverityLevel[];
  /** Drop findings without a fixed version (`--ignore-unfixed`). */
  ignoreUnfixed?: boolean;
  /** Keep only OS packages, libraries, or both (`--pkg-types`); both when undefined. */
  pkgTypes?: readonly PkgTypeClass[];
}

/** True when a package type belongs to one of the classes. */
export function isPkgTypeSelected(type: string, classes: readonly PkgTypeClass[] | undefined): boolean {
  if (!classes) return true;
  return classes.includes(osPackageTypes.has(type as never) ? 'os' : 'library');
}

/** The findings that pass every filter, in order. */
export function filterFindings<T extends Finding>(findings: readonly T[], opts: FilterOptions): T[] {
  return findings.filter((f) =>
    (!opts.severities || opts.severities.includes(f.severity.level))
    && (!opts.ignoreUnfixed || f.status === 'fixed')
    && isPkgTypeSelected(f.package.type, opts.pkgTypes));
}
