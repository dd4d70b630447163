import { checkLength, compareStrings, InvalidVersionError, validator, type Comparator, memoizeParse } from './types.js';

// spec: PEP 440 (packaging.python.org "Version specifiers"), including its normalisation rules:
// case-insensitive, optional `v`, separators `.`/`-`/`_` optional around pre/post/dev markers,
// `alpha`/`beta`/`c`/`pre`/`preview` spell a/b/rc, `rev`/`r` spell post, `1.0-1` is a post-release,
// and release trailing zeros do not matter (1.0a1 == 1.0.0a1).

/** A parsed PEP 440 version, already normalised. Missing parts are undefined. */
export interface Pep440Version {
  readonly epoch: bigint;
  readonly release: readonly bigint[];
  readonly pre: { readonly kind: 'a' | 'b' | 'rc'; readonly n: bigint } | undefined;
  readonly post: bigint | undefined;
  readonly dev: bigint | undefined;
  readonly local: readonly (bigint | string)[] | undefined;
}

const ECOSYSTEM = 'PyPI';
const SEP = '[-_.]?';
// Python's \s on the ASCII range (JS's \s also takes U+FEFF and other characters Python's does not)
const WS = '[ \\t\\n\\r\\f\\v\\x1c-\\x1f]*';
const PATTERN = new RegExp(
  `^${WS}v?` +
    '(?:([0-9]+)!)?' + // epoch
    '([0-9]+(?:\\.[0-9]+)*)' + // release
    `(?:${SEP}(alpha|a|beta|b|preview|pre|c|rc)${SEP}([0-9]+)?)?` + // pre
    `(?:-([0-9]+)|${SEP}(post|rev|r)${SEP}([0-9]+)?)?` + // post
    `(?:${SEP}(dev)${SEP}([0-9]+)?)?` + // dev
    '(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?' + // local
    `${WS}$`,
  'i',
);
const PRE_KIND = { alpha: 'a', a: 'a', beta: 'b', b: 'b', preview: 'rc', pre: 'rc', c: 'rc', rc: 'rc' } as const;

/** Parses and normalises a PEP 440 version; throws `InvalidVersionError`. */
export function parsePep440(raw: string): Pep440Version {
  checkLength(ECOSYSTEM, raw);
  const m = PATTERN.exec(raw);
  if (!m) throw new InvalidVersionError(ECOSYSTEM, raw, 'not a PEP 440 version');
  const [, epoch, release, preKind, preN, postDash, postKind, postN, devKind, devN, local] = m;
  return {
    epoch: BigInt(epoch ?? 0),
    release: release!.split('.').map(BigInt),
    pre: preKind ? { kind: PRE_KIND[preKind.toLowerCase() as keyof typeof PRE_KIND], n: BigInt(preN ?? 0) } : undefined,
    post: postDash !== undefined ? BigInt(postDash) : postKind !== undefined ? BigInt(postN ?? 0) : undefined,
    dev: devKind !== undefined ? BigInt(devN ?? 0) : undefined,
    local: local?.toLowerCase().split(/[-_.]/).map((s) => (/^[0-9]+$/.test(s) ? BigInt(s) : s)),
  };
}

const cmp = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

/** Compares optional numbers; a missing one sorts as `missing` says. */
function cmpOpt(a: bigint | undefined, b: bigint | undefined, missing: 'first' | 'last'): number {
  if (a === undefined || b === undefined) {
    const rank = (x: bigint | undefined): number => (x !== undefined ? 0 : missing === 'first' ? -1 : 1);
    return rank(a) - rank(b);
  }
  return cmp(a, b);
}

function compareReleases(a: readonly bigint[], b: readonly bigint[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = cmp(a[i] ?? 0n, b[i] ?? 0n);
    if (d !== 0) return d;
  }
  return 0;
}

const PRE_RANK = { a: 0, b: 1, rc: 2 } as const;

/** Pre-release rank: a dev-only release sorts before its pre-releases, a final one after them. */
function preKey(v: Pep440Version): { rank: number; n: bigint } {
  if (v.pre) return { rank: PRE_RANK[v.pre.kind], n: v.pre.n };
  if (v.post === undefined && v.dev !== undefined) return { rank: -1, n: 0n };
  return { rank: 3, n: 0n };
}

function compareLocal(a: Pep440Version['local'], b: Pep440Version['local']): number {
  if (a === undefined || b === undefined) return (a === undefined ? 0 : 1) - (b === undefined ? 0 : 1);
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    // numeric segments sort after alphanumeric ones
    if (typeof x !== typeof y) return typeof x === 'bigint' ? 1 : -1;
    const d = typeof x === 'bigint' ? cmp(x, y as bigint) : compareStrings(x, y as string);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function compareParsed(a: Pep440Version, b: Pep440Version): number {
  const ap = preKey(a);
  const bp = preKey(b);
  return (
    cmp(a.epoch, b.epoch) ||
    compareReleases(a.release, b.release) ||
    ap.rank - bp.rank ||
    cmp(ap.n, bp.n) ||
    cmpOpt(a.post, b.post, 'first') ||
    cmpOpt(a.dev, b.dev, 'last') ||
    compareLocal(a.local, b.local)
  );
}

const cached = memoizeParse(parsePep440);

/** PyPI versions, ordered as `packaging.version.Version`. */
export const pep440: Comparator = {
  ecosystem: 'PyPI',
  compare: (a, b) => Math.sign(compareParsed(cached(a), cached(b))),
  isValid: validator(parsePep440),
};
