const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const whole = /^(?:\d{1,9}(?:ms|s|m|h|d|w))+$/;
const part = /(\d{1,9})(ms|s|m|h|d|w)/g;

/**
 * Parses a duration such as `90s`, `1h`, `7d` or `1h30m` (units ms, s, m, h, d, w) into
 * milliseconds; `0` is zero. Returns undefined for anything else.
 */
export function parseDuration(text: string): number | undefined {
  if (text === '0') return 0;
  if (!whole.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(part)) total += Number(m[1]) * unitMs[m[2] as keyof typeof unitMs];
  return total;
}
