import { checkLength, compareDigits, compareStrings, InvalidVersionError, validator, type Comparator, memoizeParse } from './types.js';

// spec: Maven's ComparableVersion (maven-artifact 3.8, the version Debian ships) and the "Version
// Order Specification" in Maven's POM reference. A version is split into items at `.` and `-` and
// at digit/letter transitions; `-` and transitions open a nested list. Numbers compare numerically,
// qualifiers alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release < sp < any
// other qualifier (those alphabetically); trailing "null" items (0, "", ga…) are trimmed per list.
// Maven itself accepts any string; bosun accepts non-empty printable ASCII without spaces.

type Item =
  | { readonly kind: 'int'; readonly digits: string }
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'list'; readonly items: Item[] };

const ECOSYSTEM = 'Maven';
const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Readonly<Record<string, string>> = { ga: '', final: '', release: '', cr: 'rc' };
const SHORT: Readonly<Record<string, string>> = { a: 'alpha', b: 'beta', m: 'milestone' };
const RELEASE_RANK = String(QUALIFIERS.indexOf(''));

const ZERO: Item = { kind: 'int', digits: '' };

function stringItem(text: string, followedByDigit: boolean): Item {
  const expanded = followedByDigit ? (SHORT[text] ?? text) : text;
  return { kind: 'str', value: ALIASES[expanded] ?? expanded };
}

function parseItem(isDigit: boolean, text: string): Item {
  return isDigit ? { kind: 'int', digits: text.replace(/^0+/, '') } : stringItem(text, false);
}

/** Parses a Maven version into ComparableVersion's nested item list. */
export function parseMaven(raw: string): Item {
  checkLength(ECOSYSTEM, raw);
  if (!/^[\x21-\x7e]+$/.test(raw)) throw new InvalidVersionError(ECOSYSTEM, raw, 'empty, or not printable ASCII without spaces');
  const v = raw.toLowerCase();
  const root: Item & { kind: 'list' } = { kind: 'list', items: [] };
  const lists = [root];
  let list = root;
  const open = (): void => {
    const next: Item & { kind: 'list' } = { kind: 'list', items: [] };
    list.items.push(next);
    lists.push(next);
    list = next;
  };
  let isDigit = false;
  let start = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    const digit = c >= '0' && c <= '9';
    if (c === '.' || c === '-') {
      list.items.push(i === start ? ZERO : parseItem(isDigit, v.slice(start, i)));
      start = i + 1;
      if (c === '-') open();
    } else if (digit !== isDigit && i > start) {
      // maven-artifact 3.8: a qualifier before a number starts its own list unless the list is empty
      if (digit && list.items.length > 0) open();
      list.items.push(digit ? stringItem(v.slice(start, i), true) : parseItem(true, v.slice(start, i)));
      start = i;
      open();
    }
    if (c !== '.' && c !== '-') isDigit = digit;
  }
  if (v.length > start) {
    // ...and so does a trailing qualifier
    if (!isDigit && list.items.length > 0) open();
    list.items.push(parseItem(isDigit, v.slice(start)));
  }
  for (const l of lists.reverse()) normalize(l.items);
  return root;
}

/** Drops trailing null items, stopping at the first non-null item that is not a list. */
function normalize(items: Item[]): void {
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i]!;
    if (isNull(item)) items.splice(i, 1);
    else if (item.kind !== 'list') break;
  }
}

function isNull(item: Item): boolean {
  if (item.kind === 'int') return item.digits === '';
  if (item.kind === 'str') return rank(item.value) === RELEASE_RANK;
  return item.items.length === 0;
}

function rank(qualifier: string): string {
  const i = QUALIFIERS.indexOf(qualifier);
  return i < 0 ? `${QUALIFIERS.length}-${qualifier}` : String(i);
}

/** Compares an item with another, or with nothing (`undefined`: the other version ended). */
function compareItem(a: Item, b: Item | undefined): number {
  if (a.kind === 'int') {
    if (b === undefined) return a.digits === '' ? 0 : 1;
    return b.kind === 'int' ? Math.sign(compareDigits(a.digits, b.digits)) : 1;
  }
  if (a.kind === 'str') {
    if (b === undefined) return Math.sign(compareStrings(rank(a.value), RELEASE_RANK));
    if (b.kind === 'str') return Math.sign(compareStrings(rank(a.value), rank(b.value)));
    return -1;
  }
  // against nothing, every item counts, not just the first (MNG-6964, fixed in 3.8)
  if (b === undefined) return a.items.reduce((d, item) => d || compareItem(item, undefined), 0);
  if (b.kind === 'int') return -1;
  if (b.kind === 'str') return 1;
  return compareLists(a.items, b.items);
}

function compareLists(a: readonly Item[], b: readonly Item[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const l = a[i];
    const r = b[i];
    const d = l === undefined ? (r === undefined ? 0 : -compareItem(r, undefined)) : compareItem(l, r);
    if (d !== 0) return d;
  }
  return 0;
}

const cached = memoizeParse(parseMaven);

/** Maven versions, ordered as `org.apache.maven.artifact.versioning.ComparableVersion`. */
export const maven: Comparator = {
  ecosystem: 'Maven',
  compare: (a, b) => compareItem(cached(a), cached(b)),
  isValid: validator(parseMaven),
};
