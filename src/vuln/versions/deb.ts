import { checkLength, compareDigits, InvalidVersionError, validator, type Comparator, memoizeParse } from './types.js';

// spec: deb-version(7) and dpkg's lib/dpkg/parsehelp.c (parseversion) + version.c (verrevcmp).
// dpkg itself only warns about a bad character or a non-digit start and compares anyway; bosun
// rejects those too, so a version dpkg flags in any way never silently matches an advisory.

/** A parsed Debian version: `[epoch:]upstream[-revision]`. */
export interface DebVersion {
  readonly epoch: number;
  readonly upstream: string;
  readonly revision: string;
}

const ECOSYSTEM = 'Debian';
const EPOCH_MAX = 2147483647;

/** Parses a Debian version; throws `InvalidVersionError` where dpkg errors or warns. */
export function parseDeb(raw: string): DebVersion {
  checkLength(ECOSYSTEM, raw);
  const bad = (why: string): never => {
    throw new InvalidVersionError(ECOSYSTEM, raw, why);
  };
  const v = raw.replace(/^[\t\n\v\f\r ]+|[\t\n\v\f\r ]+$/g, '');
  if (v === '') bad('empty');
  if (/[\t\n\v\f\r ]/.test(v)) bad('embedded spaces');
  const colon = v.indexOf(':');
  let epoch = 0;
  if (colon >= 0) {
    const digits = v.slice(0, colon);
    if (digits === '') bad('epoch is empty');
    if (!/^\+?[0-9]+$/.test(digits)) bad('epoch is not a number');
    epoch = Number(digits);
    if (epoch > EPOCH_MAX) bad('epoch is too big');
    if (colon === v.length - 1) bad('nothing after the epoch colon');
  }
  const rest = v.slice(colon + 1);
  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const revision = hyphen >= 0 ? rest.slice(hyphen + 1) : '';
  if (hyphen >= 0 && revision === '') bad('revision is empty');
  if (upstream === '') bad('upstream version is empty');
  if (!/^[0-9]/.test(upstream)) bad('upstream version does not start with a digit');
  if (!/^[A-Za-z0-9.+~:-]*$/.test(upstream)) bad('invalid character in upstream version');
  if (!/^[A-Za-z0-9.+~]*$/.test(revision)) bad('invalid character in revision');
  return { epoch, upstream, revision };
}

/** dpkg's character weight: `~` before everything (even the end), letters before other symbols. */
function order(s: string, i: number): number {
  if (i >= s.length) return 0;
  const c = s.charCodeAt(i);
  if (c >= 48 && c <= 57) return 0;
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) return c;
  if (c === 126) return -1;
  return c + 256;
}

const isDigit = (s: string, i: number): boolean => i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57;

/** Compares one upstream or revision part: alternating non-digit runs and numeric digit runs. */
export function compareDebPart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a, i)) || (j < b.length && !isDigit(b, j))) {
      const d = order(a, i) - order(b, j);
      if (d !== 0) return d;
      i++;
      j++;
    }
    const si = i;
    const sj = j;
    while (isDigit(a, i)) i++;
    while (isDigit(b, j)) j++;
    const d = compareDigits(a.slice(si, i), b.slice(sj, j));
    if (d !== 0) return d;
  }
  return 0;
}

function compareParsed(a: DebVersion, b: DebVersion): number {
  if (a.epoch !== b.epoch) return a.epoch - b.epoch;
  return compareDebPart(a.upstream, b.upstream) || compareDebPart(a.revision, b.revision);
}

const cached = memoizeParse(parseDeb);

/** Debian (and Ubuntu) package versions, ordered as `dpkg --compare-versions`. */
export const deb: Comparator = {
  ecosystem: 'Debian',
  compare: (a, b) => compareParsed(cached(a), cached(b)),
  isValid: validator(parseDeb),
};
