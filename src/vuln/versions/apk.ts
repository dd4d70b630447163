import { checkLength, compareDigits, compareStrings, InvalidVersionError, validator, type Comparator, memoizeParse } from './types.js';

// spec: apk-tools src/version.c (2.14 / 3.x), grammar `digit{.digit}...{letter}{_suf{#}}...{~hash}{-r#}`.
// Debian ships no apk-tools, so this follows those documented token rules and is tested on designed
// cases. Token kinds only move forward; when two versions agree up to a point where the next kinds
// differ, a pre-release suffix (_alpha _beta _pre _rc) sorts first, otherwise the longer one is newer.

const Kind = { initialDigit: 0, digit: 1, letter: 2, suffix: 3, suffixNo: 4, commitHash: 5, revisionNo: 6, end: 7 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];

/** One token of an apk version; `rank` is the suffix's place for suffix tokens. */
interface Token {
  readonly kind: Kind;
  readonly text: string;
  readonly rank: number;
}

// ranks: pre-release suffixes below NONE (5), post-release ones above it
const SUFFIX_RANK: Readonly<Record<string, number>> = { alpha: 1, beta: 2, pre: 3, rc: 4, cvs: 6, svn: 7, git: 8, hg: 9, p: 10 };
const SUFFIX_NONE = 5;
const ECOSYSTEM = 'Alpine';

/** Tokenises an apk version; throws `InvalidVersionError` where `apk version -c` would reject it. */
export function parseApk(raw: string): readonly Token[] {
  checkLength(ECOSYSTEM, raw);
  const fail = (why: string): never => {
    throw new InvalidVersionError(ECOSYSTEM, raw, why);
  };
  const first = /^[0-9]+/.exec(raw) ?? fail('does not start with a digit');
  const tokens: Token[] = [{ kind: Kind.initialDigit, text: first[0], rank: 0 }];
  let pos = first[0].length;
  while (pos < raw.length) {
    const prev = tokens[tokens.length - 1]!.kind;
    const t = nextToken(raw, pos, prev) ?? fail(`unexpected "${raw[pos]}" at offset ${pos}`);
    tokens.push(t.token);
    pos = t.pos;
  }
  return tokens;
}

/** The token at `pos` given the previous kind, or undefined where the grammar does not allow one. */
function nextToken(s: string, pos: number, prev: Kind): { token: Token; pos: number } | undefined {
  const c = s[pos]!;
  const run = (re: RegExp, from: number): string => re.exec(s.slice(from))?.[0] ?? '';
  const make = (kind: Kind, text: string, end: number, rank = 0): { token: Token; pos: number } | undefined =>
    text === '' ? undefined : { token: { kind, text, rank }, pos: end };
  if (c >= 'a' && c <= 'z') return prev <= Kind.digit ? make(Kind.letter, c, pos + 1) : undefined;
  if (c === '.' || (c >= '0' && c <= '9')) {
    const from = c === '.' ? pos + 1 : pos;
    if (c === '.' && prev > Kind.digit) return undefined;
    const kind = prev <= Kind.digit ? Kind.digit : prev === Kind.suffix ? Kind.suffixNo : undefined;
    const digits = run(/^[0-9]+/, from);
    return kind === undefined ? undefined : make(kind, digits, from + digits.length);
  }
  if (c === '_' && prev <= Kind.suffixNo) {
    const name = run(/^[a-z]+/, pos + 1);
    const rank = SUFFIX_RANK[name];
    return rank === undefined ? undefined : make(Kind.suffix, name, pos + 1 + name.length, rank);
  }
  if (c === '~' && prev < Kind.commitHash) {
    const hash = run(/^[0-9a-fA-F]+/, pos + 1);
    return make(Kind.commitHash, hash, pos + 1 + hash.length);
  }
  if (c === '-' && s[pos + 1] === 'r' && prev < Kind.revisionNo) {
    const digits = run(/^[0-9]+/, pos + 2);
    return make(Kind.revisionNo, digits, pos + 2 + digits.length);
  }
  return undefined;
}

/** Compares two tokens of the same kind. */
function compareToken(a: Token, b: Token): number {
  switch (a.kind) {
    case Kind.digit:
      // a leading zero in either makes it a string comparison, as in Gentoo's rules
      if (a.text.startsWith('0') || b.text.startsWith('0')) return compareStrings(a.text, b.text);
      return compareDigits(a.text, b.text);
    case Kind.initialDigit:
    case Kind.suffixNo:
    case Kind.revisionNo:
      return compareDigits(a.text, b.text);
    case Kind.suffix:
      return a.rank - b.rank;
    default:
      return compareStrings(a.text, b.text);
  }
}

const END: Token = { kind: Kind.end, text: '', rank: 0 };

function compareTokens(a: readonly Token[], b: readonly Token[]): number {
  let i = 0;
  for (; i < a.length && i < b.length && a[i]!.kind === b[i]!.kind; i++) {
    const d = compareToken(a[i]!, b[i]!);
    if (d !== 0) return Math.sign(d);
  }
  const x = a[i] ?? END;
  const y = b[i] ?? END;
  if (x.kind === y.kind) return 0;
  if (x.kind === Kind.suffix && x.rank < SUFFIX_NONE) return -1;
  if (y.kind === Kind.suffix && y.rank < SUFFIX_NONE) return 1;
  return x.kind > y.kind ? -1 : 1;
}

const cached = memoizeParse(parseApk);

/** Alpine package versions, ordered as apk-tools' `apk version -t`. */
export const apk: Comparator = {
  ecosystem: 'Alpine',
  compare: (a, b) => compareTokens(cached(a), cached(b)),
  isValid: validator(parseApk),
};
