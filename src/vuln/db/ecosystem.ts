/**
 * How the advisory index keys packages: OSV ecosystem strings split into a base ecosystem and a
 * release, and package names folded the way each ecosystem compares them. The same functions
 * run at import and at lookup, so both sides always agree.
 *
 * | ecosystem | name key | why |
 * | --- | --- | --- |
 * | `PyPI` | lowercase, runs of `-` `_` `.` become one `-` | PEP 503 normalised project names |
 * | `crates.io` | lowercase, `_` becomes `-` | crates.io treats these spellings as one crate |
 * | `NuGet`, `Packagist` | lowercase | both registries compare ids case-insensitively |
 * | `Debian`, `Ubuntu` | lowercase | Debian policy allows only lowercase source package names |
 * | `npm` | as is | new names are lowercase (scopes too); legacy mixed-case names are distinct packages |
 * | `Go` | as is | module paths are case-sensitive (the proxy escapes capitals, it does not fold them) |
 * | `Maven` | as is (`groupId:artifactId`) | Maven coordinates are case-sensitive |
 * | any other | as is | |
 *
 * Releases: the text after the first `:` of the ecosystem string (`Debian:12` → `12`). `Alpine`
 * drops a leading `v` (`v3.19` → `3.19`), `Ubuntu` drops a trailing `:LTS` (`22.04:LTS` →
 * `22.04`, `Pro:18.04:LTS` → `pro:18.04`); releases are lowercased. Language ecosystems have none
 * (an empty string in the index).
 */

/** A base OSV ecosystem and its release (`''` when the string names none). */
export interface EcosystemKey {
  ecosystem: string;
  release: string;
}

/** Splits `Debian:12` into `{ ecosystem: 'Debian', release: '12' }`; see the module comment. */
export function splitEcosystem(raw: string): EcosystemKey {
  const at = raw.indexOf(':');
  if (at < 0) return { ecosystem: raw.trim(), release: '' };
  const ecosystem = raw.slice(0, at).trim();
  return { ecosystem, release: normalizeRelease(ecosystem, raw.slice(at + 1)) };
}

/** The index form of a distribution release for `ecosystem` (idempotent). */
export function normalizeRelease(ecosystem: string, release: string | undefined): string {
  let r = (release ?? '').trim().toLowerCase();
  if (ecosystem === 'Alpine' && r.startsWith('v')) r = r.slice(1);
  if (ecosystem === 'Ubuntu' && r.endsWith(':lts')) r = r.slice(0, -4);
  return r;
}

/** The index form of a package name in `ecosystem` (idempotent); see the module comment. */
export function normalizeName(ecosystem: string, name: string): string {
  const n = name.trim();
  switch (ecosystem) {
    case 'PyPI':
      return n.toLowerCase().replace(/[-_.]+/g, '-');
    case 'crates.io':
      return n.toLowerCase().replace(/_/g, '-');
    case 'NuGet':
    case 'Packagist':
    case 'Debian':
    case 'Ubuntu':
      return n.toLowerCase();
    default:
      return n;
  }
}
