import { BosunError } from '../../errors.js';

// Compiled patterns, shared by every rule set: a rule's globs are compiled once, not per
// request. Bounded so that a stream of distinct patterns (rules added and removed for
// months) cannot grow it without limit.
const compiled = new Map<string, RegExp>();
const maxCompiled = 4096;
const maxPatternLength = 255;

// Characters a repository name or tag can contain, plus the glob syntax.
const allowed = /^[A-Za-z0-9_.\-/*?{},]+$/;

function translate(segment: string): string {
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*' && segment[i + 1] === '*') {
      // `**/` spans zero or more whole segments, `/**` at the end likewise; a bare `**` spans anything.
      if (segment[i + 2] === '/') {
        out += '(?:.*/)?';
        i += 2;
      } else {
        out += '.*';
        i += 1;
      }
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '/' && segment.slice(i + 1) === '**') {
      out += '(?:/.*)?';
      i += 2;
    } else out += c === '.' ? '\\.' : c;
  }
  return out;
}

function outside(pattern: string, text: string): string {
  if (/[},]/.test(text)) throw new BosunError('REGISTRY_RULE_INVALID', `pattern "${pattern}": } and , belong inside {a,b}`);
  return translate(text);
}

function toRegExp(pattern: string): RegExp {
  let source = '';
  let rest = pattern;
  while (rest.length > 0) {
    const open = rest.indexOf('{');
    if (open < 0) {
      source += outside(pattern, rest);
      break;
    }
    const close = rest.indexOf('}', open);
    const inner = close < 0 ? '' : rest.slice(open + 1, close);
    if (close < 0 || inner.includes('{')) throw new BosunError('REGISTRY_RULE_INVALID', `pattern "${pattern}": unbalanced or nested {}`);
    source += outside(pattern, rest.slice(0, open)) + `(?:${inner.split(',').map(translate).join('|')})`;
    rest = rest.slice(close + 1);
  }
  return new RegExp(`^${source}$`);
}

/**
 * Checks a repository or tag glob: `*` matches within one path segment, `**` across segments
 * (`prod/**` matches `prod`, `prod/app` and `prod/a/b`), `?` one character, `{a,b}` either
 * alternative. Throws REGISTRY_RULE_INVALID for an empty, overlong or malformed pattern.
 */
export function validateGlob(pattern: string): void {
  compileGlob(pattern);
}

/** The anchored RegExp of a glob (see `validateGlob`), cached; throws REGISTRY_RULE_INVALID. */
export function compileGlob(pattern: string): RegExp {
  const hit = compiled.get(pattern);
  if (hit) return hit;
  if (pattern.length === 0 || pattern.length > maxPatternLength) {
    throw new BosunError('REGISTRY_RULE_INVALID', `pattern must be 1 to ${maxPatternLength} characters, got ${pattern.length}`);
  }
  if (!allowed.test(pattern) || pattern.includes('}') !== pattern.includes('{')) {
    throw new BosunError('REGISTRY_RULE_INVALID', `pattern "${pattern}": only letters, digits, _ . - / and the glob characters * ? {a,b} are allowed`);
  }
  const re = toRegExp(pattern);
  if (compiled.size >= maxCompiled) compiled.clear();
  compiled.set(pattern, re);
  return re;
}

/** True when `value` matches the glob `pattern`. */
export function matchGlob(pattern: string, value: string): boolean {
  return compileGlob(pattern).test(value);
}
