import path from 'node:path';
import { matchWildcard } from '../wildcard.js';
import { num, str, strOrNum, text } from './types.js';
import type { JmesFunction } from './types.js';

/** Kyverno's string functions. Regexes are Go RE2 syntax, run with JavaScript's engine. */
export const textFunctions: readonly JmesFunction[] = [
  { name: 'compare', signature: [str, str], fn: ([a, b]) => (text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0) },
  { name: 'equal_fold', signature: [str, str], fn: ([a, b]) => text(a).toLowerCase() === text(b).toLowerCase() },
  { name: 'replace_all', signature: [str, str, str], fn: ([s, o, n]) => text(s).split(text(o)).join(text(n)) },
  { name: 'to_upper', signature: [str], fn: ([s]) => text(s).toUpperCase() },
  { name: 'to_lower', signature: [str], fn: ([s]) => text(s).toLowerCase() },
  { name: 'trim', signature: [str, str], fn: ([s, cut]) => trim(text(s), text(cut)) },
  { name: 'trim_prefix', signature: [str, str], fn: ([s, p]) => (text(s).startsWith(text(p)) ? text(s).slice(text(p).length) : text(s)) },
  { name: 'truncate', signature: [str, num], fn: ([s, n]) => truncate(text(s), Number(n)) },
  { name: 'regex_match', signature: [str, strOrNum], fn: ([re, s]) => goRegex(text(re)).test(text(s)) },
  { name: 'regex_replace_all', signature: [str, strOrNum, strOrNum], fn: ([re, s, r]) => text(s).replace(goRegex(text(re), 'g'), goReplacement(text(r))) },
  { name: 'regex_replace_all_literal', signature: [str, strOrNum, strOrNum], fn: ([re, s, r]) => text(s).replace(goRegex(text(re), 'g'), () => text(r)) },
  { name: 'pattern_match', signature: [str, strOrNum], fn: ([p, s]) => matchWildcard(text(p), text(s)) },
  { name: 'path_canonicalize', signature: [str], fn: ([p]) => canonical(text(p)) },
];

function trim(s: string, cutset: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && cutset.includes(s[a] as string)) a++;
  while (b > a && cutset.includes(s[b - 1] as string)) b--;
  return s.slice(a, b);
}

function truncate(s: string, n: number): string {
  if (!Number.isFinite(n) || n < 0) throw new Error('truncate: length must be a non-negative number');
  return s.slice(0, Math.floor(n));
}

const MAX_REGEX = 4096;

/** Compiles a Go regex for JavaScript; RE2 has no backreferences, so the common subset agrees. */
function goRegex(source: string, flags = ''): RegExp {
  if (source.length > MAX_REGEX) throw new Error('regex is too long');
  return new RegExp(source.replace(/\(\?P</g, '(?<'), flags);
}

/** Go's `${1}` / `${name}` replacement syntax into JavaScript's `$1` / `$<name>`. */
function goReplacement(r: string): string {
  return r.replace(/\$\{(\d+)\}/g, '$$$1').replace(/\$\{([A-Za-z_]\w*)\}/g, '$$<$1>');
}

/** Go's filepath.Clean on Unix paths. */
function canonical(p: string): string {
  return p === '' ? '.' : path.posix.normalize(p).replace(/(.)\/$/, '$1');
}
