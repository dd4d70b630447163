import { checkLength, compareDigits, compareStrings, InvalidVersionError, validator, type Comparator, memoizeParse } from './types.js';

// spec: rpm's rpmio/rpmvercmp.c (segment comparison, `~` and `^`) and rpmver.c (EVR split).

/** A parsed rpm EVR: `[epoch:]version[-release]`; a missing epoch is 0. */
export interface RpmVersion {
  readonly epoch: string;
  readonly version: string;
  readonly release: string | undefined;
}

const ECOSYSTEM = 'Red Hat';

/** Splits an EVR as rpm does: the epoch is a leading digit run before `:`, the release follows the last `-`. */
export function parseRpm(raw: string): RpmVersion {
  checkLength(ECOSYSTEM, raw);
  if (!/^[\x21-\x7e]+$/.test(raw)) throw new InvalidVersionError(ECOSYSTEM, raw, 'empty, or not printable ASCII without spaces');
  const m = /^([0-9]*):/.exec(raw);
  const epoch = m ? m[1] || '0' : '0';
  const rest = m ? raw.slice(m[0].length) : raw;
  const dash = rest.lastIndexOf('-');
  const version = dash >= 0 ? rest.slice(0, dash) : rest;
  const release = dash >= 0 ? rest.slice(dash + 1) : undefined;
  // rpm takes an empty release after a trailing `-` (it sorts after a missing one); an empty version is refused
  if (version === '') throw new InvalidVersionError(ECOSYSTEM, raw, 'version is empty');
  return { epoch, version, release };
}

const isAlnum = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9]/.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined): boolean => c !== undefined && /[A-Za-z]/.test(c);

/** rpmvercmp: compares alphanumeric segments; `~` sorts before anything, `^` after the end only. */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b[j]) && b[j] !== '~' && b[j] !== '^') j++;
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;
    const d = compareSegment(a, b, { i, j });
    if (d.result !== 0) return d.result;
    i = d.i;
    j = d.j;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

/** Compares the segment starting at i in a and j in b; the segment kind is set by a[i]. */
function compareSegment(a: string, b: string, at: { i: number; j: number }): { result: number; i: number; j: number } {
  const numeric = isDigit(a[at.i]);
  const same = numeric ? isDigit : isAlpha;
  let i = at.i;
  let j = at.j;
  while (same(a[i])) i++;
  while (same(b[j])) j++;
  // rpm: a numeric segment is newer than an alphabetic one
  if (j === at.j) return { result: numeric ? 1 : -1, i, j };
  const x = a.slice(at.i, i);
  const y = b.slice(at.j, j);
  const result = numeric ? compareDigits(x, y) : compareStrings(x, y);
  return { result: Math.sign(result), i, j };
}

/**
 * A missing release sorts before any release, as in rpm's labelCompare. (rpmverCmp instead skips
 * the release when one side lacks it, which is not a total order.)
 */
function compareRelease(a: string | undefined, b: string | undefined): number {
  if (a === undefined || b === undefined) return (a === undefined ? 0 : 1) - (b === undefined ? 0 : 1);
  return rpmvercmp(a, b);
}

function compareParsed(a: RpmVersion, b: RpmVersion): number {
  return (
    rpmvercmp(a.epoch, b.epoch) ||
    rpmvercmp(a.version, b.version) ||
    compareRelease(a.release, b.release)
  );
}

const cached = memoizeParse(parseRpm);

/** rpm-based distributions (Red Hat, AlmaLinux, Rocky Linux, SUSE, openSUSE): EVR order as `rpm`. */
export const rpm: Comparator = {
  ecosystem: 'Red Hat',
  compare: (a, b) => compareParsed(cached(a), cached(b)),
  isValid: validator(parseRpm),
};
