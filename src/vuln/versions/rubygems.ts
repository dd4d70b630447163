import { checkLength, compareDigits, compareStrings, InvalidVersionError, validator, type Comparator, memoizeParse } from './types.js';

// spec: RubyGems' Gem::Version (lib/rubygems/version.rb). Valid: digits, then dot-separated
// alphanumeric segments, optionally `-` and more (a `-` reads as `.pre.`). Segments are digit runs
// (numbers) and letter runs (strings); a version with any letter is a pre-release. Comparison uses
// the canonical segments: trailing zeros dropped from the numeric head and from the rest, so
// 1.0 == 1 and 1.0.a == 1.a. A string segment sorts before a number, strings by byte order.

type Segment = string | { readonly n: string };

const ECOSYSTEM = 'RubyGems';
const PATTERN = /^[ \t\n\v\f\r]*([0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)?[ \t\n\v\f\r]*$/;

/** Parses a gem version into its canonical segments; an empty or blank string is version 0. */
export function parseGem(raw: string): readonly Segment[] {
  checkLength(ECOSYSTEM, raw);
  const m = PATTERN.exec(raw);
  if (!m) throw new InvalidVersionError(ECOSYSTEM, raw, 'not a gem version');
  const text = (m[1] ?? '0').replace(/-/g, '.pre.');
  const segments: Segment[] = (text.match(/[0-9]+|[a-z]+/gi) ?? []).map((s) => (/^[0-9]/.test(s) ? { n: s } : s));
  const firstString = segments.findIndex((s) => typeof s === 'string');
  const head = firstString < 0 ? segments : segments.slice(0, firstString);
  const tail = firstString < 0 ? [] : segments.slice(firstString);
  return [...dropTrailingZeros(head), ...dropTrailingZeros(tail)];
}

function dropTrailingZeros(segments: Segment[]): Segment[] {
  let end = segments.length;
  while (end > 0 && isZero(segments[end - 1]!)) end--;
  return segments.slice(0, end);
}

const isZero = (s: Segment): boolean => typeof s !== 'string' && /^0+$/.test(s.n);
const ZERO: Segment = { n: '0' };

function compareSegments(a: readonly Segment[], b: readonly Segment[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? ZERO;
    const y = b[i] ?? ZERO;
    const xs = typeof x === 'string';
    const ys = typeof y === 'string';
    if (xs !== ys) return xs ? -1 : 1;
    const d = xs ? compareStrings(x, y as string) : compareDigits((x as { n: string }).n, (y as { n: string }).n);
    if (d !== 0) return d;
  }
  return 0;
}

const cached = memoizeParse(parseGem);

/** RubyGems versions, ordered as `Gem::Version#<=>`. */
export const rubygems: Comparator = {
  ecosystem: 'RubyGems',
  compare: (a, b) => compareSegments(cached(a), cached(b)),
  isValid: validator(parseGem),
};
