import { matchWildcard } from './wildcard.js';
import { parseDuration, parseInteger, parseNumber, parseQuantity } from './quantity.js';
import { isPlainObject } from './pattern/operators.js';

/**
 * Kyverno's condition operators (`deny.conditions`, `preconditions`), as pure functions of the
 * already-substituted `key` and `value`. Operator names are matched case-insensitively.
 * `Contains`, `NotContains`, `EndsWith` and `StartsWith` are bosun extensions (see docs/policy.md).
 */
export type OperatorFn = (key: unknown, value: unknown) => boolean;

/** Evaluates one condition; undefined when the operator is unknown. */
export function evaluateOperator(operator: string, key: unknown, value: unknown): boolean | undefined {
  const fn = OPERATORS[operator.toLowerCase()];
  return fn ? fn(key, value) : undefined;
}

/** The operator names bosun accepts, as Kyverno spells them. */
export const operatorNames: readonly string[] = [
  'Equals', 'NotEquals', 'Equal', 'NotEqual', 'In', 'NotIn', 'AnyIn', 'AllIn', 'AnyNotIn', 'AllNotIn',
  'GreaterThan', 'GreaterThanOrEquals', 'LessThan', 'LessThanOrEquals',
  'DurationGreaterThan', 'DurationGreaterThanOrEquals', 'DurationLessThan', 'DurationLessThanOrEquals',
  'Contains', 'NotContains', 'StartsWith', 'EndsWith',
];

const equals: OperatorFn = (key, value) => {
  if (typeof key === 'boolean') return value === key;
  if (typeof key === 'number') return numberEquals(key, value);
  if (typeof key === 'string') return stringEquals(key, value);
  if (Array.isArray(key) || isPlainObject(key)) return deepEqual(key, value);
  return false;
};

function numberEquals(key: number, value: unknown): boolean {
  if (typeof value === 'number') return key === value;
  if (typeof value !== 'string') return false;
  return (Number.isInteger(key) ? parseInteger(value) ?? parseNumber(value) : parseNumber(value)) === key;
}

function stringEquals(key: string, value: unknown): boolean {
  const d = durationPair(key, value);
  if (d) return d[0] === d[1];
  const qk = parseQuantity(key);
  if (qk !== undefined && typeof value === 'string') {
    const qv = parseQuantity(value);
    if (qv !== undefined) return qk === qv;
  }
  return typeof value === 'string' && matchWildcard(value, key);
}

/** Kyverno's parseDuration: at least one side must be a non-zero duration string; numbers are seconds. */
function durationPair(key: unknown, value: unknown): [number, number] | undefined {
  const asDuration = (v: unknown): number | undefined => {
    if (typeof v !== 'string') return undefined;
    const d = parseDuration(v);
    return d === 0 ? undefined : d;
  };
  const k = asDuration(key);
  const v = asDuration(value);
  if (k === undefined && v === undefined) return undefined;
  const kk = k ?? (typeof key === 'number' ? key : undefined);
  const vv = v ?? (typeof value === 'number' ? value : undefined);
  return kk === undefined || vv === undefined ? undefined : [kk, vv];
}

type Cmp = (a: number, b: number) => boolean;

function numeric(cmp: Cmp): OperatorFn {
  return (key, value) => {
    const d = durationPair(key, value);
    if (d) return cmp(d[0], d[1]);
    const k = typeof key === 'number' ? key : typeof key === 'string' ? parseNumber(key) : undefined;
    if (k !== undefined) {
      const v = typeof value === 'number' ? value : typeof value === 'string' ? parseNumber(value) : undefined;
      return v !== undefined && cmp(k, v);
    }
    const qk = typeof key === 'string' ? parseQuantity(key) : undefined;
    const qv = typeof value === 'string' ? parseQuantity(value) : undefined;
    return qk !== undefined && qv !== undefined && cmp(qk, qv);
  };
}

function durationOp(cmp: Cmp): OperatorFn {
  const seconds = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'string' ? parseDuration(v) : undefined);
  return (key, value) => {
    const k = seconds(key);
    const v = seconds(value);
    return k !== undefined && v !== undefined && cmp(k, v);
  };
}

/** Kyverno's fmt.Sprint of a scalar, for set operators. */
function sprint(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '<nil>';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** The value side of a set operator as strings: a list, a JSON list in a string, or one string. */
function valueSet(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.map(sprint);
  if (typeof value !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    if (Array.isArray(parsed)) return parsed.map(sprint);
  } catch {
    // not JSON: the string is a single-element set
  }
  return [value];
}

function keySet(key: unknown): string[] | undefined {
  if (Array.isArray(key)) return key.map(sprint);
  if (typeof key === 'string' || typeof key === 'number' || typeof key === 'boolean') return [sprint(key)];
  return undefined;
}

/** How many keys match some value, both sides allowed to be wildcard patterns. */
function setMatch(key: unknown, value: unknown): { keys: number; found: number } | undefined {
  const ks = keySet(key);
  const vs = valueSet(value);
  if (!ks || !vs) return undefined;
  const found = ks.filter((k) => vs.some((v) => matchWildcard(k, v) || matchWildcard(v, k))).length;
  return { keys: ks.length, found };
}

const anyIn: OperatorFn = (k, v) => (setMatch(k, v)?.found ?? 0) > 0;
const allIn: OperatorFn = (k, v) => {
  const m = setMatch(k, v);
  return m !== undefined && m.found === m.keys;
};
const anyNotIn: OperatorFn = (k, v) => {
  const m = setMatch(k, v);
  return m !== undefined && m.found < m.keys;
};
const allNotIn: OperatorFn = (k, v) => {
  const m = setMatch(k, v);
  return m !== undefined && m.found === 0;
};

const contains: OperatorFn = (key, value) => {
  if (typeof key === 'string') return typeof value === 'string' && key.includes(value);
  if (Array.isArray(key)) return key.some((k) => deepEqual(k, value));
  return false;
};

const OPERATORS: Record<string, OperatorFn> = {
  equals, equal: equals,
  notequals: (k, v) => !equals(k, v), notequal: (k, v) => !equals(k, v),
  in: allIn, notin: (k, v) => !allIn(k, v), anyin: anyIn, allin: allIn, anynotin: anyNotIn, allnotin: allNotIn,
  greaterthan: numeric((a, b) => a > b), greaterthanorequals: numeric((a, b) => a >= b),
  lessthan: numeric((a, b) => a < b), lessthanorequals: numeric((a, b) => a <= b),
  durationgreaterthan: durationOp((a, b) => a > b), durationgreaterthanorequals: durationOp((a, b) => a >= b),
  durationlessthan: durationOp((a, b) => a < b), durationlessthanorequals: durationOp((a, b) => a <= b),
  contains, notcontains: (k, v) => !contains(k, v),
  startswith: (k, v) => typeof k === 'string' && typeof v === 'string' && k.startsWith(v),
  endswith: (k, v) => typeof k === 'string' && typeof v === 'string' && k.endsWith(v),
};

/** Structural JSON equality (Go's reflect.DeepEqual over decoded JSON). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}
