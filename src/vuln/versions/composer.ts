import { checkLength, compareDigits, compareStrings, InvalidVersionError, validator, type Comparator, memoizeParse } from './types.js';

// spec: composer/semver's VersionParser::normalize (what Packagist shows as version_normalized) and
// PHP's version_compare, which Composer's Comparator applies to normalized versions. Normalizing
// gives `X.Y.Z.W[-(alpha|beta|RC|patch)N][-dev]`; version_compare then orders stabilities
// dev < alpha < beta < RC < (release) < patch. `dev-<branch>` versions have no numeric order in
// Composer; bosun sorts them before every numbered version and among themselves by name.

/** A normalized Composer version, e.g. `1.0.0.0-beta1`, or `dev-main` for a branch. */
export type ComposerVersion = { readonly kind: 'numbered'; readonly normalized: string } | { readonly kind: 'branch'; readonly name: string };

const ECOSYSTEM = 'Packagist';
// Composer's patterns use possessive `\d++` and `*+`. JS has neither; `\d+(?!\d)` (a digit run that
// is never split) accepts the same strings and, unlike a plain `(?:[.-]?\d+)*`, cannot backtrack
// exponentially on hostile input such as `1-beta111…1x`.
const RUN = '\\d+(?!\\d)';
const MODIFIER = `[._-]?(?:(stable|beta|b|rc|alpha|a|patch|pl|p)((?:[.-]?${RUN})*)?)?([.-]?dev)?`;
const CLASSICAL = new RegExp(`^v?(\\d{1,5})(\\.${RUN})?(\\.${RUN})?(\\.${RUN})?${MODIFIER}$`, 'i');
const DATE = new RegExp(`^v?(\\d{4}(?:[.:-]?\\d{2}){1,6}(?:[.:-]?\\d{1,3})?)${MODIFIER}$`, 'i');
const BRANCH = new RegExp(`^v?(${RUN})(\\.(?:${RUN}|[xX*]))?(\\.(?:${RUN}|[xX*]))?(\\.(?:${RUN}|[xX*]))?$`, 'i');
const STABILITY: Readonly<Record<string, string>> = { a: 'alpha', b: 'beta', p: 'patch', pl: 'patch', rc: 'RC' };

/** Normalizes a Composer version as VersionParser::normalize; throws `InvalidVersionError`. */
export function parseComposer(raw: string): ComposerVersion {
  checkLength(ECOSYSTEM, raw);
  // a trailing stability flag (`1.0@beta`) is a constraint hint, not part of the version
  let v = raw.trim().replace(/@(?:stable|rc|beta|alpha|dev)$/i, '');
  if (/^(?:master|trunk|default)$/.test(v)) return { kind: 'branch', name: v };
  if (/^dev-/i.test(v)) return branch(raw, v.slice(4));
  const build = /^([^,\s+]+)\+[^\s]+$/.exec(v);
  if (build) v = build[1]!;
  const classical = CLASSICAL.exec(v);
  if (classical) {
    const numbers = [classical[1], ...[2, 3, 4].map((i) => classical[i]?.slice(1) ?? '0')].join('.');
    return { kind: 'numbered', normalized: withModifiers(numbers, classical.slice(5)) };
  }
  const date = DATE.exec(v);
  if (date) return { kind: 'numbered', normalized: withModifiers(date[1]!.replace(/\D/g, '.'), date.slice(2)) };
  const devBranch = /^(.*?)[.-]?dev$/i.exec(v);
  const numbered = devBranch ? BRANCH.exec(devBranch[1]!.trim()) : null;
  if (numbered) {
    const parts = [1, 2, 3, 4].map((i) => (numbered[i] ?? '.x').replace(/[*X]/g, 'x'));
    return { kind: 'numbered', normalized: `${parts.join('').replace(/x/g, '9999999')}-dev` };
  }
  throw new InvalidVersionError(ECOSYSTEM, raw, 'not a Composer version');
}

function branch(raw: string, name: string): ComposerVersion {
  if (!/^[\x21-\x7e]+$/.test(name)) throw new InvalidVersionError(ECOSYSTEM, raw, 'branch name is empty or not printable ASCII');
  return { kind: 'branch', name };
}

/** Appends `-stability[N]` and `-dev` from the modifier groups (stability, its number, dev). */
function withModifiers(numbers: string, groups: readonly (string | undefined)[]): string {
  const [stability, number, dev] = groups;
  let out = numbers;
  if (stability) {
    // composer returns early, dropping any -dev, only for a lowercase "stable"
    if (stability === 'stable') return out;
    const s = stability.toLowerCase();
    out += `-${STABILITY[s] ?? s}${(number ?? '').replace(/^[.-]+/, '')}`;
  }
  return dev ? `${out}-dev` : out;
}

// PHP's version_compare: special forms matched by prefix, numbers as "#", unknown words lowest
const SPECIAL: readonly [string, number][] = [['dev', 0], ['alpha', 1], ['a', 1], ['beta', 2], ['b', 2], ['RC', 3], ['rc', 3], ['#', 4], ['pl', 5], ['p', 5]];

function special(form: string): number {
  return SPECIAL.find(([name]) => form.startsWith(name))?.[1] ?? -1;
}

/** PHP's canonical form: `.` between digit/non-digit transitions, `-_+` and other symbols become `.`. */
function canonicalParts(v: string): string[] {
  return v.replace(/([0-9])(?=[^0-9.])|([^0-9.])(?=[0-9])/g, '$1$2.').split(/[^A-Za-z0-9]+/).filter((p) => p !== '');
}

/** PHP `version_compare(a, b)` on normalized versions. */
export function versionCompare(a: string, b: string): number {
  const x = canonicalParts(a);
  const y = canonicalParts(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const d = comparePart(x[i]!, y[i]!);
    if (d !== 0) return d;
  }
  if (x.length > n) return /^[0-9]/.test(x[n]!) ? 1 : Math.sign(special(x[n]!) - special('#'));
  if (y.length > n) return /^[0-9]/.test(y[n]!) ? -1 : Math.sign(special('#') - special(y[n]!));
  return 0;
}

function comparePart(p: string, q: string): number {
  const pd = /^[0-9]/.test(p);
  const qd = /^[0-9]/.test(q);
  if (pd && qd) return Math.sign(compareDigits(p, q));
  return Math.sign(special(pd ? '#' : p) - special(qd ? '#' : q));
}

function compareParsed(a: ComposerVersion, b: ComposerVersion): number {
  if (a.kind === 'branch' || b.kind === 'branch') {
    if (a.kind !== b.kind) return a.kind === 'branch' ? -1 : 1;
    return compareStrings((a as { name: string }).name, (b as { name: string }).name);
  }
  return versionCompare(a.normalized, b.normalized);
}

const cached = memoizeParse(parseComposer);

/** Packagist (Composer) versions: normalized as Composer does, then ordered by PHP's version_compare. */
export const composer: Comparator = {
  ecosystem: 'Packagist',
  compare: (a, b) => compareParsed(cached(a), cached(b)),
  isValid: validator(parseComposer),
};
