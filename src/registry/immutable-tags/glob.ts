import { BosunError } from '../../errors.js';

// Globs are matched by simulating their automaton (every state at once, one pass over the
// value): time is linear in pattern × value whatever the pattern, unlike a backtracking
// RegExp, where `*-*-*-*-*` against a long tag pushed by anyone could stall the event loop.

type Token =
  | { kind: 'char'; c: string } // that character
  | { kind: 'one' } // ?: one character other than /
  | { kind: 'star' } // *: any run without /
  | { kind: 'any' } // bare **: any run
  | { kind: 'dirs' } // **/: nothing, or any run ending in /
  | { kind: 'slash-gate' }; // the / of a trailing /**: nothing (skip the ** too), or / then the **

/** A compiled glob: `test(value)` says whether the whole value matches. */
export interface Glob {
  test(value: string): boolean;
}

// Compiled patterns, shared by every rule set: a rule's globs are compiled once, not per
// request. Bounded so that rules added and removed for months cannot grow it without limit.
const compiled = new Map<string, Glob>();
const maxCompiled = 4096;
const maxPatternLength = 255;
const maxAlternatives = 64;

// Characters a repository name or tag can contain, plus the glob syntax.
const allowed = /^[A-Za-z0-9_.\-/*?{},]+$/;

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '*' && text[i + 1] === '*') {
      const dirs = text[i + 2] === '/';
      out.push({ kind: dirs ? 'dirs' : 'any' });
      i += dirs ? 2 : 1;
    } else if (c === '*') out.push({ kind: 'star' });
    else if (c === '?') out.push({ kind: 'one' });
    else if (c === '/' && text.slice(i + 1) === '**') {
      out.push({ kind: 'slash-gate' }, { kind: 'any' });
      i += 2;
    } else out.push({ kind: 'char', c });
  }
  return out;
}

/** Follows the moves that consume nothing; they all go forward, so one ascending pass does. */
function close(tokens: Token[], on: Uint8Array): void {
  for (let s = 0; s < tokens.length; s++) {
    if (!on[s]) continue;
    const kind = tokens[s]!.kind;
    if (kind === 'star' || kind === 'any' || kind === 'dirs') on[s + 1] = 1;
    else if (kind === 'slash-gate') on[s + 2] = 1;
  }
}

function step(tokens: Token[], on: Uint8Array, c: string): Uint8Array {
  const next = new Uint8Array(on.length);
  for (let s = 0; s < tokens.length; s++) {
    if (!on[s]) continue;
    const t = tokens[s]!;
    if (t.kind === 'char') {
      if (c === t.c) next[s + 1] = 1;
    } else if (t.kind === 'one') {
      if (c !== '/') next[s + 1] = 1;
    } else if (t.kind === 'star') {
      if (c !== '/') next[s] = 1;
    } else if (t.kind === 'any') next[s] = 1;
    else if (t.kind === 'dirs') {
      next[s] = 1;
      if (c === '/') next[s + 1] = 1;
    } else if (c === '/') next[s + 1] = 1;
  }
  close(tokens, next);
  return next;
}

function matches(tokens: Token[], value: string): boolean {
  let on: Uint8Array = new Uint8Array(tokens.length + 1);
  on[0] = 1;
  close(tokens, on);
  for (const c of value) {
    on = step(tokens, on, c);
    if (!on.includes(1)) return false;
  }
  return on[tokens.length] === 1;
}

/** Expands `{a,b}` groups (not nested) into the plain patterns they stand for. */
function expand(pattern: string): string[] {
  const open = pattern.indexOf('{');
  if (open < 0) {
    if (/[},]/.test(pattern)) throw new BosunError('REGISTRY_RULE_INVALID', `pattern "${pattern}": } and , belong inside {a,b}`);
    return [pattern];
  }
  const close = pattern.indexOf('}', open);
  const inner = close < 0 ? '' : pattern.slice(open + 1, close);
  if (close < 0 || inner.includes('{')) throw new BosunError('REGISTRY_RULE_INVALID', `pattern "${pattern}": unbalanced or nested {}`);
  const head = pattern.slice(0, open);
  if (/[},]/.test(head)) throw new BosunError('REGISTRY_RULE_INVALID', `pattern "${pattern}": } and , belong inside {a,b}`);
  const tails = expand(pattern.slice(close + 1));
  const out = inner.split(',').flatMap((alt) => tails.map((tail) => head + alt + tail));
  if (out.length > maxAlternatives) throw new BosunError('REGISTRY_RULE_INVALID', `pattern "${pattern}": more than ${maxAlternatives} {a,b} combinations`);
  return out;
}

/**
 * Compiles a repository or tag glob: `*` matches within one path segment, `**` across
 * segments (`prod/**` matches `prod`, `prod/app` and `prod/a/b`), `?` one character other than
 * `/`, `{a,b}` either alternative. Cached. Throws REGISTRY_RULE_INVALID for an empty,
 * overlong or malformed pattern.
 */
export function compileGlob(pattern: string): Glob {
  const hit = compiled.get(pattern);
  if (hit) return hit;
  if (pattern.length === 0 || pattern.length > maxPatternLength) {
    throw new BosunError('REGISTRY_RULE_INVALID', `pattern must be 1 to ${maxPatternLength} characters, got ${pattern.length}`);
  }
  if (!allowed.test(pattern)) {
    throw new BosunError('REGISTRY_RULE_INVALID', `pattern "${pattern}": only letters, digits, _ . - / and the glob characters * ? {a,b} are allowed`);
  }
  const alternatives = expand(pattern).map(tokenize);
  const glob: Glob = { test: (value) => alternatives.some((tokens) => matches(tokens, value)) };
  if (compiled.size >= maxCompiled) compiled.clear();
  compiled.set(pattern, glob);
  return glob;
}

/** Throws REGISTRY_RULE_INVALID unless `pattern` is a valid glob (see `compileGlob`). */
export function validateGlob(pattern: string): void {
  compileGlob(pattern);
}

/** True when `value` matches the glob `pattern`. */
export function matchGlob(pattern: string, value: string): boolean {
  return compileGlob(pattern).test(value);
}
