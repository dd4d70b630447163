import { matchWildcard, hasWildcard } from '../wildcard.js';
import { hasNestedAnchor, parseAnchor } from './anchors.js';
import type { Anchor } from './anchors.js';
import { isPlainObject, matchScalar } from './operators.js';

/**
 * Structural matching of a resource against a Kyverno `validate.pattern`. Pure.
 * `pass` means the resource satisfies the pattern, `fail` that it does not (with the JSON path
 * of the first mismatch), `skip` that a conditional or global anchor did not apply anywhere.
 */
export type PatternResult =
  | { readonly status: 'pass' }
  | { readonly status: 'fail' | 'skip'; readonly path: string; readonly reason: string };

type Outcome = PatternResult;
const PASS: Outcome = { status: 'pass' };
const MAX_DEPTH = 128;

/** Matches `resource` against `pattern`; never throws. */
export function matchPattern(resource: unknown, pattern: unknown): PatternResult {
  return element(resource, pattern, '/', 0);
}

function fail(path: string, reason: string): Outcome {
  return { status: 'fail', path, reason };
}

function element(resource: unknown, pattern: unknown, path: string, depth: number): Outcome {
  if (depth > MAX_DEPTH) return fail(path, 'pattern nesting is too deep');
  if (isPlainObject(pattern)) {
    if (!isPlainObject(resource)) return fail(path, `expected an object, found ${describe(resource)}`);
    return map(resource, pattern, path, depth);
  }
  if (Array.isArray(pattern)) {
    if (!Array.isArray(resource)) return fail(path, `expected a list, found ${describe(resource)}`);
    return list(resource, pattern, path, depth);
  }
  if (Array.isArray(resource)) {
    const bad = resource.findIndex((r) => !matchScalar(r, pattern));
    return bad < 0 ? PASS : fail(path, `value '${show(resource[bad])}' does not match '${show(pattern)}'`);
  }
  return matchScalar(resource, pattern) ? PASS : fail(path, `value '${show(resource)}' does not match '${show(pattern)}'`);
}

function map(resource: Record<string, unknown>, rawPattern: Record<string, unknown>, path: string, depth: number): Outcome {
  const pattern = expandMetadataWildcards(rawPattern, resource, path);
  const anchored: Array<[Anchor, unknown]> = [];
  const plain: Array<[string, unknown]> = [];
  for (const [k, v] of Object.entries(pattern)) {
    const a = parseAnchor(k);
    if (a) anchored.push([a, v]);
    else plain.push([k, v]);
  }
  anchored.sort((x, y) => (x[0].key < y[0].key ? -1 : x[0].key > y[0].key ? 1 : 0));
  for (const [a, v] of anchored) {
    const r = anchor(a, v, resource, path, depth);
    if (r.status !== 'pass') return r;
  }
  // Keys whose sub-patterns hold anchors go first, so their skips win over plain mismatches.
  const ordered = [...plain.filter(([, v]) => hasNestedAnchor(v)), ...plain.filter(([, v]) => !hasNestedAnchor(v))];
  for (const [k, v] of ordered) {
    const value = resource[k];
    if (v === '*') {
      if (value === undefined || value === null) return fail(`${path}${k}/`, 'field is required');
      continue;
    }
    const r = element(value ?? null, v, `${path}${k}/`, depth + 1);
    if (r.status !== 'pass') return r;
  }
  return PASS;
}

function anchor(a: Anchor, pattern: unknown, resource: Record<string, unknown>, path: string, depth: number): Outcome {
  const at = `${path}${a.key}/`;
  const present = Object.hasOwn(resource, a.key);
  const value = resource[a.key];
  switch (a.kind) {
    case 'condition':
    case 'global': {
      if (!present) return { status: 'skip', path: at, reason: `${a.kind} anchor key is absent` };
      const r = element(value, pattern, at, depth + 1);
      return r.status === 'pass' ? PASS : { status: 'skip', path: r.path, reason: `${a.kind} anchor not satisfied: ${r.reason}` };
    }
    case 'equality':
      return present ? element(value, pattern, at, depth + 1) : PASS;
    case 'negation':
      return present ? fail(at, 'field is not allowed') : PASS;
    case 'existence':
      return present ? existence(value, pattern, at, depth) : PASS;
    case 'add-if-absent':
      return PASS;
  }
}

function existence(value: unknown, pattern: unknown, path: string, depth: number): Outcome {
  if (!Array.isArray(value)) return fail(path, 'existence anchor ^() applies only to lists');
  if (!Array.isArray(pattern)) return fail(path, 'existence anchor ^() needs a list pattern');
  for (const p of pattern) {
    if (!isPlainObject(p)) return fail(path, 'existence anchor ^() needs a list of objects');
    if (!value.some((v) => element(v, p, path, depth + 1).status === 'pass')) {
      return fail(path, 'no list element matches the existence anchor');
    }
  }
  return PASS;
}

function list(resource: unknown[], pattern: unknown[], path: string, depth: number): Outcome {
  const first = pattern[0];
  if (first === undefined) return fail(path, 'pattern list is empty');
  if (isPlainObject(first)) return listOfMaps(resource, first, path, depth);
  if (resource.length < pattern.length) return fail(path, `list has ${resource.length} elements, pattern needs ${pattern.length}`);
  for (let i = 0; i < pattern.length; i++) {
    const r = element(resource[i], pattern[i], `${path}${i}/`, depth + 1);
    if (r.status !== 'pass') return r;
  }
  return PASS;
}

function listOfMaps(resource: unknown[], pattern: Record<string, unknown>, path: string, depth: number): Outcome {
  let applied = 0;
  let firstSkip: Outcome | undefined;
  for (let i = 0; i < resource.length; i++) {
    const r = element(resource[i], pattern, `${path}${i}/`, depth + 1);
    if (r.status === 'skip') {
      firstSkip ??= r;
      continue;
    }
    if (r.status === 'fail') return r;
    applied++;
  }
  return applied === 0 && firstSkip ? firstSkip : PASS;
}

/** Kyverno expands wildcard keys under metadata labels/annotations into the matching keys. */
function expandMetadataWildcards(pattern: Record<string, unknown>, resource: Record<string, unknown>, path: string): Record<string, unknown> {
  if (!/\/metadata\/(labels|annotations)\/$/.test(path)) return pattern;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(pattern)) {
    if (!hasWildcard(k) || parseAnchor(k)) {
      out[k] = v;
      continue;
    }
    const hits = Object.keys(resource).filter((rk) => matchWildcard(k, rk));
    if (hits.length === 0) out[k] = v;
    for (const h of hits) out[h] = v;
  }
  return out;
}

function describe(v: unknown): string {
  if (v === undefined || v === null) return 'nothing';
  return Array.isArray(v) ? 'a list' : typeof v;
}

function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v) ?? 'null';
}
