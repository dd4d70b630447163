import { SemVer } from 'semver';
import { checkLength, InvalidVersionError, validator, type Comparator, memoizeParse } from './types.js';

// The npm ecosystem's reference implementation is node-semver itself, so bosun uses it: strict
// (non-loose) parsing, which still allows a leading `v` or `=`; build metadata does not affect order.

const ECOSYSTEM = 'npm';

/** Parses an npm version strictly; throws `InvalidVersionError`. */
export function parseNpm(raw: string): SemVer {
  checkLength(ECOSYSTEM, raw);
  try {
    return new SemVer(raw, { loose: false });
  } catch (err) {
    throw new InvalidVersionError(ECOSYSTEM, raw, 'not a semantic version', { cause: err });
  }
}

const cached = memoizeParse(parseNpm);

/** npm package versions, ordered as node-semver's `compare`. */
export const npm: Comparator = {
  ecosystem: 'npm',
  compare: (a, b) => cached(a).compare(cached(b)),
  isValid: validator(parseNpm),
};
