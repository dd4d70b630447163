import { evaluateConditions } from '../conditions.js';
import type { Conditions } from '../model.js';
import { matchPattern } from '../pattern/validate.js';
import { substituteAll } from '../variables.js';
import type { VariableContext } from '../variables.js';

/**
 * The three validation checks (pattern, anyPattern, deny), shared by the top-level rule kinds
 * and by `foreach`, which runs them per element. `detail` explains a fail or skip.
 */
export type CheckResult = { readonly status: 'pass' | 'fail' | 'skip' | 'error'; readonly detail: string; readonly path?: string };

/** Substitutes variables in `pattern`, then matches `target` against it. */
export function checkPattern(target: unknown, pattern: unknown, ctx: VariableContext): CheckResult {
  const p = substituteAll(pattern, ctx);
  if (!p.ok) return { status: 'error', detail: p.error };
  const r = matchPattern(target, p.value);
  if (r.status === 'pass') return { status: 'pass', detail: '' };
  return { status: r.status, detail: r.reason, path: r.path };
}

/** Passes when one pattern passes; skips when every pattern skipped; fails otherwise. */
export function checkAnyPattern(target: unknown, patterns: readonly unknown[], ctx: VariableContext): CheckResult {
  const failures: string[] = [];
  let skipped = 0;
  for (const [i, pattern] of patterns.entries()) {
    const r = checkPattern(target, pattern, ctx);
    if (r.status === 'pass' || r.status === 'error') return r;
    if (r.status === 'skip') skipped++;
    failures.push(`[anyPattern[${i}]] failed at path ${r.path ?? '/'}: ${r.detail}`);
  }
  if (patterns.length > 0 && skipped === patterns.length) return { status: 'skip', detail: failures.join('; ') };
  return { status: 'fail', detail: failures.join('; ') };
}

/** Fails when the deny conditions hold (absent conditions always hold). */
export function checkDeny(conditions: Conditions | null | undefined, ctx: VariableContext): CheckResult {
  if (!conditions) return { status: 'fail', detail: 'denied unconditionally' };
  const r = evaluateConditions(conditions, ctx);
  if (!r.ok) return { status: 'error', detail: r.error };
  return r.passed ? { status: 'fail', detail: 'deny conditions are met' } : { status: 'pass', detail: '' };
}
