/**
 * Parsers for the two unit-bearing scalar forms Kyverno compares: Kubernetes resource
 * quantities (`100Mi`, `2.5`, `1e3`, `500m`) and Go durations (`1h30m`, `300ms`).
 * Both return plain numbers (quantities in base units, durations in seconds) or `undefined`
 * when the text is not of that form; they never throw.
 */

// spec: k8s.io/apimachinery/pkg/api/resource quantity.go (suffixes: binarySI, decimalSI, exponent)
const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
const SUFFIX: Record<string, number> = {
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
  n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
};

/** A Kubernetes quantity as a number of base units, or undefined. */
export function parseQuantity(text: string): number | undefined {
  if (text.length > 64) return undefined;
  const m = QUANTITY.exec(text.trim() === text ? text : '');
  if (!m) return undefined;
  const mantissa = Number(m[1]);
  const suffix = m[2] ?? '';
  if (suffix === '') return mantissa;
  const mult = SUFFIX[suffix];
  if (mult !== undefined) return mantissa * mult;
  return mantissa * 10 ** Number(suffix.slice(1));
}

// spec: Go time.ParseDuration
const DURATION_PART = /(\d*\.?\d+)(ns|us|µs|μs|ms|s|m|h)/y;
const UNIT_SECONDS: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, 'μs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** A Go duration string in seconds, or undefined ("0" alone is allowed, as in Go). */
export function parseDuration(text: string): number | undefined {
  if (text.length > 64) return undefined;
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s.startsWith('-') ? -1 : 1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  DURATION_PART.lastIndex = 0;
  while (DURATION_PART.lastIndex < s.length) {
    const m = DURATION_PART.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * (UNIT_SECONDS[m[2] as string] ?? 0);
  }
  return sign * total;
}

/** Go `strconv.ParseFloat`-style strict decimal parse (no hex, no inf/nan), or undefined. */
export function parseNumber(text: string): number | undefined {
  return /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text) ? Number(text) : undefined;
}

/** Go `strconv.ParseInt(s, 10, 64)`-style strict integer parse, or undefined. */
export function parseInteger(text: string): number | undefined {
  return /^[+-]?\d+$/.test(text) ? Number(text) : undefined;
}
