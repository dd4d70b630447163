import { BosunError } from '../../errors.js';

/**
 * Ecosystem names exactly as OSV spells them. Release-qualified names (`Debian:12`,
 * `Alpine:v3.19`, `Ubuntu:22.04:LTS`) are accepted by `compareVersions` and map to these.
 */
export type Ecosystem =
  | 'Debian' | 'Ubuntu'
  | 'Alpine'
  | 'Red Hat' | 'AlmaLinux' | 'Rocky Linux' | 'SUSE' | 'openSUSE'
  | 'npm' | 'PyPI' | 'Go' | 'Maven' | 'RubyGems' | 'crates.io' | 'NuGet' | 'Packagist';

/**
 * Orders the versions of one ecosystem.
 * Implementers must:
 * - return a negative number, 0 or a positive number (a < b, a == b, a > b) forming a total order;
 * - throw `InvalidVersionError` (code VULN_VERSION_INVALID) for any input the ecosystem's own tool
 *   rejects, or that is longer than `MAX_VERSION_LENGTH`, and never any other error;
 * - keep `isValid(v)` true exactly when `compare(v, v)` does not throw.
 */
export interface Comparator {
  readonly ecosystem: Ecosystem;
  compare(a: string, b: string): number;
  isValid(version: string): boolean;
}

/** Longest version string any comparator accepts; bounds work on hostile input. */
export const MAX_VERSION_LENGTH = 256;

/** Thrown for a version its ecosystem does not accept, or an unknown ecosystem. */
export class InvalidVersionError extends BosunError {
  readonly ecosystem: string;
  readonly version: string;

  constructor(ecosystem: string, version: string, reason: string, options?: { cause?: unknown }) {
    const shown = version.length > 80 ? `${version.slice(0, 80)}…` : version;
    super('VULN_VERSION_INVALID', `${ecosystem} version "${shown}" is not valid: ${reason}`, options);
    this.name = 'InvalidVersionError';
    this.ecosystem = ecosystem;
    this.version = version;
  }
}

/** Throws unless `version` is a string within `MAX_VERSION_LENGTH`. */
export function checkLength(ecosystem: string, version: string): void {
  if (typeof version !== 'string') throw new InvalidVersionError(ecosystem, String(version), 'not a string');
  if (version.length > MAX_VERSION_LENGTH) {
    throw new InvalidVersionError(ecosystem, version, `longer than ${MAX_VERSION_LENGTH} characters`);
  }
}

/** Compares two runs of ASCII digits numerically, at any length (leading zeros ignored). */
export function compareDigits(a: string, b: string): number {
  // the replace only when there is a leading zero: it allocates, and this runs per comparison
  const x = a.charCodeAt(0) === 48 ? a.replace(/^0+/, '') : a;
  const y = b.charCodeAt(0) === 48 ? b.replace(/^0+/, '') : b;
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Plain code-unit comparison of two strings (C `strcmp` on ASCII). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Builds `isValid` from a parser that throws `InvalidVersionError`. */
export function validator(parse: (v: string) => unknown): (v: string) => boolean {
  return (v) => {
    try {
      parse(v);
      return true;
    } catch (err) {
      if (err instanceof InvalidVersionError) return false;
      throw err;
    }
  };
}

/**
 * A parser that remembers its last few thousand results. Matching compares the same version
 * strings over and over (every range event of every record against one installed version), and
 * parsing dominated it. Parsed values are never mutated by comparisons, so sharing them is safe;
 * failures are not cached (they throw every time).
 */
export function memoizeParse<T>(parse: (raw: string) => T, max = 20_000): (raw: string) => T {
  const cache = new Map<string, T>();
  return (raw) => {
    let v = cache.get(raw);
    if (v === undefined) {
      v = parse(raw);
      if (cache.size >= max) cache.clear();
      cache.set(raw, v);
    }
    return v;
  };
}
