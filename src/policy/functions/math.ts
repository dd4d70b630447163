import { parseDuration, parseQuantity } from '../quantity.js';
import { any, num, str, text } from './types.js';
import type { JmesFunction } from './types.js';
import type { JSONValue } from '@jmespath-community/jmespath';

/**
 * Kyverno's arithmetic over numbers, quantities (`100Mi`) and durations (`1h`), and its time
 * functions. Two quantities (or two durations) divide to a plain number; a quantity or
 * duration scaled by a number keeps its kind.
 */
export const mathFunctions: readonly JmesFunction[] = [
  { name: 'add', signature: [any, any], fn: ([a, b]) => combine(a!, b!, (x, y) => x + y, 'add') },
  { name: 'subtract', signature: [any, any], fn: ([a, b]) => combine(a!, b!, (x, y) => x - y, 'subtract') },
  { name: 'multiply', signature: [any, any], fn: ([a, b]) => scale(a!, b!, (x, y) => x * y, 'multiply') },
  { name: 'divide', signature: [any, any], fn: ([a, b]) => divide(a!, b!, (x, y) => x / y, 'divide') },
  { name: 'modulo', signature: [any, any], fn: ([a, b]) => divide(a!, b!, (x, y) => x % y, 'modulo') },
  { name: 'round', signature: [num, num], fn: ([x, d]) => Number((x as number).toFixed(Math.max(0, Math.min(20, d as number)))) },
  { name: 'time_now_utc', signature: [], fn: () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') },
  { name: 'time_since', signature: [str, str, str], fn: ([layout, a, b]) => timeSince(text(layout), text(a), text(b)) },
];

type Operand = { kind: 'number'; v: number } | { kind: 'quantity'; v: number; suffix: string } | { kind: 'duration'; v: number };

function operand(x: JSONValue, fn: string): Operand {
  if (typeof x === 'number') return { kind: 'number', v: x };
  if (typeof x === 'string') {
    const d = /[a-zµ]$/.test(x) && !/(m|k|n|u)$/.test(x) ? parseDuration(x) : undefined;
    if (d !== undefined) return { kind: 'duration', v: d };
    const q = parseQuantity(x);
    if (q !== undefined) return { kind: 'quantity', v: q, suffix: /[A-Za-z]+$/.exec(x)?.[0] ?? '' };
  }
  throw new Error(`${fn}: '${String(x)}' is not a number, quantity or duration`);
}

function combine(a: JSONValue, b: JSONValue, op: (x: number, y: number) => number, fn: string): JSONValue {
  const x = operand(a, fn);
  const y = operand(b, fn);
  if (x.kind !== y.kind) throw new Error(`${fn}: operands must be of the same kind (${x.kind}, ${y.kind})`);
  return render(x, op(x.v, y.v));
}

function scale(a: JSONValue, b: JSONValue, op: (x: number, y: number) => number, fn: string): JSONValue {
  const x = operand(a, fn);
  const y = operand(b, fn);
  if (x.kind !== 'number' && y.kind !== 'number') throw new Error(`${fn}: one operand must be a number`);
  return render(x.kind === 'number' ? y : x, op(x.v, y.v));
}

function divide(a: JSONValue, b: JSONValue, op: (x: number, y: number) => number, fn: string): JSONValue {
  const x = operand(a, fn);
  const y = operand(b, fn);
  if (y.v === 0) throw new Error(`${fn}: division by zero`);
  if (x.kind === y.kind) return op(x.v, y.v);
  if (y.kind !== 'number') throw new Error(`${fn}: cannot divide a ${x.kind} by a ${y.kind}`);
  return render(x, op(x.v, y.v));
}

const MULT: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12, m: 1e-3 };

function render(kind: Operand, v: number): JSONValue {
  if (kind.kind === 'number') return v;
  if (kind.kind === 'duration') return formatDuration(v);
  const m = MULT[kind.suffix] ?? 1;
  return `${+(v / m).toFixed(6)}${MULT[kind.suffix] ? kind.suffix : ''}`;
}

/** Go's time.Duration.String() for a number of seconds (e.g. 5400 → "1h30m0s"). */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  const sign = seconds < 0 ? '-' : '';
  let s = Math.abs(seconds);
  if (s < 1) return `${sign}${+(s * 1000).toFixed(6)}ms`;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s = +(s - m * 60).toFixed(9);
  return `${sign}${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`;
}

/** Kyverno's time_since(layout, start, end): end defaults to now; layout "" means RFC 3339. */
function timeSince(layout: string, start: string, end: string): string {
  if (layout !== '' && layout !== '2006-01-02T15:04:05Z07:00') throw new Error('time_since: only RFC 3339 layouts are supported');
  const t0 = Date.parse(start);
  const t1 = end === '' ? Date.now() : Date.parse(end);
  if (Number.isNaN(t0) || Number.isNaN(t1)) throw new Error('time_since: timestamps must be RFC 3339');
  return formatDuration((t1 - t0) / 1000);
}
