import { parseTail, comparePre, type SemverTail } from './semver2.js';
import { checkLength, compareDigits, InvalidVersionError, validator, type Comparator, memoizeParse } from './types.js';

// spec: NuGet package versioning docs (learn.microsoft.com, "Package versioning"): SemVer 2.0 plus
// legacy four-part versions; missing parts are 0 (so 1.0 == 1.0.0 == 1.0.0.0), numbers may have
// leading zeros, pre-release labels compare case-insensitively (numeric labels numerically, before
// alphanumeric ones), and build metadata is ignored. No NuGet client runs on Debian, so the tests
// are designed cases from those documented rules.

/** A parsed NuGet version: up to four numbers plus a SemVer 2.0 tail. */
export interface NuGetVersion extends SemverTail {
  readonly numbers: readonly [string, string, string, string];
}

const ECOSYSTEM = 'NuGet';
const CORE = /^([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:\.([0-9]+))?/;
const INT32_MAX = '2147483647';

/** Parses a NuGet version (surrounding whitespace allowed, as NuGet trims it). */
export function parseNuGet(raw: string): NuGetVersion {
  checkLength(ECOSYSTEM, raw);
  const v = raw.trim();
  const m = CORE.exec(v);
  const tail = m ? parseTail(v.slice(m[0].length), false) : undefined;
  if (!m || !tail) throw new InvalidVersionError(ECOSYSTEM, raw, 'not a NuGet version');
  const numbers = [m[1]!, m[2] ?? '0', m[3] ?? '0', m[4] ?? '0'] as const;
  if (numbers.some((n) => compareDigits(n, INT32_MAX) > 0)) throw new InvalidVersionError(ECOSYSTEM, raw, 'number exceeds int32');
  return { numbers, pre: tail.pre, build: tail.build };
}

function compareParsed(a: NuGetVersion, b: NuGetVersion): number {
  for (let i = 0; i < 4; i++) {
    const d = compareDigits(a.numbers[i]!, b.numbers[i]!);
    if (d !== 0) return d;
  }
  return comparePre(a.pre, b.pre, true);
}

const cached = memoizeParse(parseNuGet);

/** NuGet package versions, ordered as NuGet.Versioning's default comparer. */
export const nuget: Comparator = {
  ecosystem: 'NuGet',
  compare: (a, b) => compareParsed(cached(a), cached(b)),
  isValid: validator(parseNuGet),
};
