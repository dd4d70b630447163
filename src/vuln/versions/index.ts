import { apk } from './apk.js';
import { cargo } from './cargo.js';
import { composer } from './composer.js';
import { deb } from './deb.js';
import { go } from './go.js';
import { maven } from './maven.js';
import { nuget } from './nuget.js';
import { pep440 } from './pep440.js';
import { rpm } from './rpm.js';
import { rubygems } from './rubygems.js';
import { npm } from './semver.js';
import { InvalidVersionError, MAX_VERSION_LENGTH, type Comparator, type Ecosystem } from './types.js';

/** One comparator per version scheme, named by its primary OSV ecosystem. */
export const comparators: readonly Comparator[] = [deb, apk, rpm, npm, pep440, go, maven, rubygems, cargo, nuget, composer];

/** OSV ecosystems that share another one's version scheme. */
const ALIASES: Readonly<Partial<Record<Ecosystem, Ecosystem>>> = {
  Ubuntu: 'Debian',
  AlmaLinux: 'Red Hat',
  'Rocky Linux': 'Red Hat',
  SUSE: 'Red Hat',
  openSUSE: 'Red Hat',
};

const byEcosystem = new Map<string, Comparator>(comparators.map((c) => [c.ecosystem, c]));

/**
 * The comparator for an OSV ecosystem string. Release suffixes after the first `:` are ignored
 * (`Debian:12`, `Alpine:v3.19`, `Ubuntu:22.04:LTS`), and so are OSV's `SUSE`/`openSUSE` product
 * names such as `openSUSE:Leap 15.5`. Throws `InvalidVersionError` for an unknown ecosystem.
 */
export function comparatorFor(ecosystem: string): Comparator {
  const base = ecosystem.split(':', 1)[0]!;
  const found = byEcosystem.get(ALIASES[base as Ecosystem] ?? base);
  if (!found) throw new InvalidVersionError(ecosystem.slice(0, 64), '', 'unknown ecosystem');
  return found;
}

/**
 * Compares two versions of one OSV ecosystem: negative when a < b, 0 when equal, positive when
 * a > b. Throws `InvalidVersionError` (code VULN_VERSION_INVALID) for a version the ecosystem does
 * not accept, one longer than `MAX_VERSION_LENGTH`, or an unknown ecosystem.
 */
export function compareVersions(ecosystem: string, a: string, b: string): number {
  return comparatorFor(ecosystem).compare(a, b);
}

export { InvalidVersionError, MAX_VERSION_LENGTH };
export type { Comparator, Ecosystem };
export { parseApk } from './apk.js';
export { parseCargo } from './cargo.js';
export { parseComposer } from './composer.js';
export { parseDeb } from './deb.js';
export { parseGo } from './go.js';
export { parseMaven } from './maven.js';
export { parseNuGet } from './nuget.js';
export { parsePep440 } from './pep440.js';
export { parseRpm } from './rpm.js';
export { parseGem } from './rubygems.js';
export { parseNpm } from './semver.js';
