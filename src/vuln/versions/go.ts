import { compareSemverParts, parseTail, type SemverTail } from './semver2.js';
import { checkLength, InvalidVersionError, validator, type Comparator, memoizeParse } from './types.js';

// spec: golang.org/x/mod/semver (what the go command uses): `v` + semver 2.0, with `vMAJOR` and
// `vMAJOR.MINOR` shorthands for `.0`; build metadata (so `+incompatible`) does not affect order, and
// pseudo-versions (`v0.0.0-20200101000000-abcdef123456`) are ordinary pre-releases. OSV writes Go
// versions without the `v`, so both spellings are accepted.

/** A parsed Go module version. */
export interface GoVersion extends SemverTail {
  readonly major: string;
  readonly minor: string;
  readonly patch: string;
}

const ECOSYSTEM = 'Go';
const CORE = /^(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*))?)?/;

/** Parses a Go module version, with or without the leading `v`. */
export function parseGo(raw: string): GoVersion {
  checkLength(ECOSYSTEM, raw);
  const v = raw.startsWith('v') ? raw.slice(1) : raw;
  const m = CORE.exec(v);
  const rest = m ? v.slice(m[0].length) : '';
  const tail = m ? parseTail(rest, true) : undefined;
  const short = m !== null && m[3] === undefined;
  if (!m || !tail || (short && rest !== '')) throw new InvalidVersionError(ECOSYSTEM, raw, 'not a semantic version');
  return { major: m[1]!, minor: m[2] ?? '0', patch: m[3] ?? '0', pre: tail.pre, build: tail.build };
}

const cached = memoizeParse(parseGo);

/** Go module versions, ordered as `golang.org/x/mod/semver.Compare`. */
export const go: Comparator = {
  ecosystem: 'Go',
  compare: (a, b) => compareSemverParts(cached(a), cached(b)),
  isValid: validator(parseGo),
};
