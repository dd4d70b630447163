import { checkLength, InvalidVersionError, validator, type Comparator } from './types.js';

// spec: apk-tools src/version.c (Gentoo-style `{digit}{.digit}...{letter}{_suf{#}}...{-r#}`).
// Debian ships no apk-tools, so this follows the documented token rules and is tested on designed
// cases. Each token has a kind; kinds only move forward (with three documented exceptions), and when
// two versions agree up to where one has a different kind of token next, the kind decides.

const Kind = { digitOrZero: 0, digit: 1, letter: 2, suffix: 3, suffixNo: 4, revisionNo: 5, end: 6 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];

/** One token: its value, and the kind of the token after it. */
interface Token {
  readonly value: number;
  readonly next: Kind;
}

const PRE = ['alpha', 'beta', 'pre', 'rc'];
const POST = ['cvs', 'svn', 'git', 'hg', 'p'];
const ECOSYSTEM = 'Alpine';

/** Tokenises an apk version; throws `InvalidVersionError` where `apk version -c` would reject it. */
export function parseApk(raw: string): readonly Token[] {
  checkLength(ECOSYSTEM, raw);
  const tokens: Token[] = [];
  let kind: Kind = Kind.digit;
  let pos = 0;
  if (raw === '') throw new InvalidVersionError(ECOSYSTEM, raw, 'empty');
  while (kind !== Kind.end) {
    const t = readToken(raw, pos, kind);
    pos = t.pos;
    kind = t.next;
    tokens.push({ value: t.value, next: kind });
  }
  return tokens;
}

function readToken(s: string, start: number, kind: Kind): { value: number; pos: number; next: Kind } {
  if (start >= s.length) return { value: 0, pos: start, next: Kind.end };
  let pos = start;
  let value = 0;
  let forced: Kind | undefined;
  if (kind === Kind.digitOrZero && s[pos] === '0') {
    // a component with leading zeros: their count, negated, then the rest as a plain digit token
    while (s[pos] === '0') pos++;
    value = start - pos;
    forced = Kind.digit;
  } else if (kind === Kind.letter) {
    value = s.charCodeAt(pos++);
  } else if (kind === Kind.suffix) {
    const m = matchSuffix(s, pos);
    if (!m) throw new InvalidVersionError(ECOSYSTEM, s, `unknown suffix at offset ${pos}`);
    value = m.value;
    pos += m.length;
  } else {
    while (pos < s.length && s[pos]! >= '0' && s[pos]! <= '9') value = value * 10 + (s.charCodeAt(pos++) - 48);
  }
  if (pos >= s.length) return { value, pos, next: Kind.end };
  if (forced !== undefined) return { value, pos, next: forced };
  const n = nextKind(s, pos, kind);
  return { value, pos: n.pos, next: n.kind };
}

function matchSuffix(s: string, pos: number): { value: number; length: number } | undefined {
  const pre = PRE.findIndex((x) => s.startsWith(x, pos));
  if (pre >= 0) return { value: pre - PRE.length, length: PRE[pre]!.length };
  const post = POST.findIndex((x) => s.startsWith(x, pos));
  return post >= 0 ? { value: post, length: POST[post]!.length } : undefined;
}

function nextKind(s: string, pos: number, kind: Kind): { kind: Kind; pos: number } {
  const c = s[pos]!;
  const digit = c >= '0' && c <= '9';
  let n: Kind | undefined;
  let skip = 1;
  if ((kind === Kind.digit || kind === Kind.digitOrZero) && c >= 'a' && c <= 'z') [n, skip] = [Kind.letter, 0];
  else if (kind === Kind.letter && digit) [n, skip] = [Kind.digit, 0];
  else if (kind === Kind.suffix && digit) [n, skip] = [Kind.suffixNo, 0];
  else if (c === '.') n = Kind.digitOrZero;
  else if (c === '_') n = Kind.suffix;
  else if (c === '-' && s[pos + 1] === 'r') [n, skip] = [Kind.revisionNo, 2];
  const allowedBack =
    (n === Kind.digitOrZero && kind === Kind.digit) ||
    (n === Kind.suffix && kind === Kind.suffixNo) ||
    (n === Kind.digit && kind === Kind.letter);
  if (n === undefined || (n < kind && !allowedBack)) {
    throw new InvalidVersionError(ECOSYSTEM, s, `unexpected "${c}" at offset ${pos}`);
  }
  return { kind: n, pos: pos + skip };
}

function compareTokens(a: readonly Token[], b: readonly Token[]): number {
  let i = 0;
  for (;;) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.value !== y.value) return x.value < y.value ? -1 : 1;
    if (x.next !== y.next) return compareKinds(a, b, i);
    if (x.next === Kind.end) return 0;
    i++;
  }
}

/** Equal so far, different kinds next: the longer one is newer unless it goes on with a pre-release suffix. */
function compareKinds(a: readonly Token[], b: readonly Token[], i: number): number {
  const ak = a[i]!.next;
  const bk = b[i]!.next;
  if (ak === Kind.suffix && a[i + 1]!.value < 0) return -1;
  if (bk === Kind.suffix && b[i + 1]!.value < 0) return 1;
  return ak > bk ? -1 : 1;
}

/** Alpine package versions, ordered as apk-tools' `apk version -t`. */
export const apk: Comparator = {
  ecosystem: 'Alpine',
  compare: (a, b) => compareTokens(parseApk(a), parseApk(b)),
  isValid: validator(parseApk),
};
