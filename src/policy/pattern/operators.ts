import { matchWildcard } from '../wildcard.js';
import { parseDuration, parseInteger, parseNumber, parseQuantity } from '../quantity.js';

/**
 * Leaf-value matching for `validate.pattern`: how one resource scalar is checked against one
 * pattern scalar. Pure; mirrors Kyverno's pattern package:
 * - booleans, numbers and null compare by type (numbers also accept numeric strings);
 * - strings are split on `|` (any) then `&` (all); each part may start with an operator
 *   `>=`, `<=`, `>`, `<`, `!`, or be a range `a-b` / `a!-b`;
 * - operands are compared as durations, then as quantities, then (`=` and `!` only) as
 *   wildcard strings.
 */
export type PatternOperator = '' | '>=' | '<=' | '>' | '<' | '!' | 'range' | 'not-range';

const BOUND = '([-+]?\\d+(?:\\.\\d+)?[A-Za-z]*)';
const IN_RANGE = new RegExp(`^${BOUND}-${BOUND}$`);
const NOT_IN_RANGE = new RegExp(`^${BOUND}!-${BOUND}$`);

/** The operator a string pattern starts with (`''` for plain equality). */
export function patternOperator(pattern: string): PatternOperator {
  if (pattern.length < 2) return '';
  for (const op of ['>=', '<=', '>', '<', '!'] as const) if (pattern.startsWith(op)) return op;
  if (NOT_IN_RANGE.test(pattern)) return 'not-range';
  if (IN_RANGE.test(pattern)) return 'range';
  return '';
}

/** True when `value` (a resource scalar, or anything) satisfies the scalar `pattern`. */
export function matchScalar(value: unknown, pattern: unknown): boolean {
  if (typeof pattern === 'boolean') return value === pattern;
  if (typeof pattern === 'number') return matchNumber(value, pattern);
  if (pattern === null || pattern === undefined) return matchNil(value);
  if (typeof pattern === 'string') return matchStringPatterns(value, pattern);
  if (isPlainObject(pattern)) return isPlainObject(value);
  return false;
}

function matchNumber(value: unknown, pattern: number): boolean {
  if (typeof value === 'number') return value === pattern;
  if (typeof value !== 'string') return false;
  const parsed = Number.isInteger(pattern) ? parseInteger(value) : parseNumber(value);
  return parsed === pattern;
}

function matchNil(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  return value === 0 || value === '' || value === false;
}

function matchStringPatterns(value: unknown, pattern: string): boolean {
  if (value === pattern) return true;
  return pattern.split('|').some((alt) => alt.trim().split('&').every((part) => matchStringPattern(value, part.trim())));
}

function matchStringPattern(value: unknown, pattern: string): boolean {
  const op = patternOperator(pattern);
  if (op === 'range') {
    const m = IN_RANGE.exec(pattern) as RegExpExecArray;
    return compareOperands(value, m[1] as string, '>=') && compareOperands(value, m[2] as string, '<=');
  }
  if (op === 'not-range') {
    const m = NOT_IN_RANGE.exec(pattern) as RegExpExecArray;
    return compareOperands(value, m[1] as string, '<') || compareOperands(value, m[2] as string, '>');
  }
  return compareOperands(value, pattern.slice(op.length).trim(), op);
}

function compareOperands(value: unknown, operand: string, op: PatternOperator): boolean {
  const asText = numberToString(value);
  if (asText !== undefined) {
    const d = compareParsed(parseDuration(asText), parseDuration(operand), op);
    if (d !== undefined && /[a-zµμ]$/.test(operand)) return d;
    const q = compareParsed(parseQuantity(asText), parseQuantity(operand), op);
    if (q !== undefined) return q;
  }
  return compareString(value, operand, op);
}

function compareParsed(a: number | undefined, b: number | undefined, op: PatternOperator): boolean | undefined {
  if (a === undefined || b === undefined) return undefined;
  switch (op) {
    case '': return a === b;
    case '!': return a !== b;
    case '>': return a > b;
    case '<': return a < b;
    case '>=': return a >= b;
    case '<=': return a <= b;
    default: return false;
  }
}

function compareString(value: unknown, operand: string, op: PatternOperator): boolean {
  if (op !== '' && op !== '!') return false;
  const text = scalarToString(value);
  if (text === undefined) return false;
  const hit = matchWildcard(operand, text);
  return op === '!' ? !hit : hit;
}

/** Kyverno's convertNumberToString: null reads as "0"; objects do not convert. */
function numberToString(value: unknown): string | undefined {
  if (value === null || value === undefined) return '0';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(6);
  return undefined;
}

/** How Go's strconv formats a scalar for wildcard comparison (floats in E notation). */
export function scalarToString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return String(value);
    const [mant, exp] = value.toExponential().toUpperCase().split('E');
    const e = Number(exp);
    return `${mant}E${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  return undefined;
}

/** True for a plain JSON object (not an array, not null). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
