import { compareSemverParts, parseTail, type SemverTail } from './semver2.js';
import { checkLength, compareDigits, InvalidVersionError, validator, type Comparator, memoizeParse } from './types.js';

// spec: semver.org 2.0.0 as the `semver` crate 1.x parses it (no `v`, no leading zeros in the core
// or in numeric pre-release identifiers, each number within u64). Build metadata is parsed and
// checked but, as OSV specifies for crates.io, ignored when ordering.

/** A parsed crates.io version. */
export interface CargoVersion extends SemverTail {
  readonly major: string;
  readonly minor: string;
  readonly patch: string;
}

const ECOSYSTEM = 'crates.io';
const CORE = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)/;
const U64_MAX = '18446744073709551615';

/** Parses a strict semver 2.0 version; throws `InvalidVersionError`. */
export function parseCargo(raw: string): CargoVersion {
  checkLength(ECOSYSTEM, raw);
  const m = CORE.exec(raw);
  const tail = m ? parseTail(raw.slice(m[0].length), true) : undefined;
  if (!m || !tail) throw new InvalidVersionError(ECOSYSTEM, raw, 'not a semver 2.0 version');
  const nums = [m[1]!, m[2]!, m[3]!];
  if (nums.some((n) => compareDigits(n, U64_MAX) > 0)) throw new InvalidVersionError(ECOSYSTEM, raw, 'number exceeds u64');
  return { major: nums[0]!, minor: nums[1]!, patch: nums[2]!, pre: tail.pre, build: tail.build };
}

const cached = memoizeParse(parseCargo);

/** crates.io versions: semver 2.0 precedence, build metadata ignored. */
export const cargo: Comparator = {
  ecosystem: 'crates.io',
  compare: (a, b) => compareSemverParts(cached(a), cached(b)),
  isValid: validator(parseCargo),
};
