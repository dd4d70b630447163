import { compareDigits, compareStrings } from './types.js';

// spec: semver.org 2.0.0, §9-11 (pre-release and build syntax, precedence). Shared by the Go,
// crates.io and NuGet comparators, which differ in how they read the numeric core.

/** Pre-release identifiers and build identifiers of a dotted `-pre+build` tail. */
export interface SemverTail {
  readonly pre: readonly string[];
  readonly build: readonly string[];
}

const IDENT = /^[0-9A-Za-z-]+$/;
const NUMERIC = /^[0-9]+$/;

/**
 * Splits `-pre+build` (either part optional). Returns undefined when an identifier is empty or has a
 * character outside [0-9A-Za-z-], or (with `strictZeros`) when a numeric pre-release one has a leading zero.
 */
export function parseTail(tail: string, strictZeros: boolean): SemverTail | undefined {
  const plus = tail.indexOf('+');
  const preText = plus >= 0 ? tail.slice(0, plus) : tail;
  const buildText = plus >= 0 ? tail.slice(plus + 1) : undefined;
  if (preText !== '' && !preText.startsWith('-')) return undefined;
  const pre = preText === '' ? [] : preText.slice(1).split('.');
  const build = buildText === undefined ? [] : buildText.split('.');
  if (!pre.every((p) => IDENT.test(p))) return undefined;
  if (!build.every((p) => IDENT.test(p))) return undefined;
  if (strictZeros && pre.some((p) => NUMERIC.test(p) && p.length > 1 && p.startsWith('0'))) return undefined;
  return { pre, build };
}

/**
 * Pre-release precedence: none sorts after any; identifiers left to right, numeric ones numerically
 * and before alphanumeric ones, alphanumeric ones by ASCII (or case-insensitively); a prefix sorts first.
 */
export function comparePre(a: readonly string[], b: readonly string[], ignoreCase = false): number {
  if (a.length === 0 || b.length === 0) return b.length - a.length;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = compareIdent(a[i]!, b[i]!, ignoreCase);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function compareIdent(x: string, y: string, ignoreCase: boolean): number {
  const xn = NUMERIC.test(x);
  const yn = NUMERIC.test(y);
  if (xn && yn) return compareDigits(x, y);
  if (xn !== yn) return xn ? -1 : 1;
  return ignoreCase ? compareStrings(x.toLowerCase(), y.toLowerCase()) : compareStrings(x, y);
}

/** A parsed `major.minor.patch[-pre][+build]` version; numbers kept as digit strings (no overflow). */
export interface SemverParts extends SemverTail {
  readonly major: string;
  readonly minor: string;
  readonly patch: string;
}

/** SemVer 2.0 precedence of two parsed versions (build metadata ignored). */
export function compareSemverParts(a: SemverParts, b: SemverParts): number {
  return (
    compareDigits(a.major, b.major) ||
    compareDigits(a.minor, b.minor) ||
    compareDigits(a.patch, b.patch) ||
    comparePre(a.pre, b.pre)
  );
}
