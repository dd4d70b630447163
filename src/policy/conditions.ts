import type { Condition, Conditions } from './model.js';
import { evaluateOperator } from './operators.js';
import { substituteAll } from './variables.js';
import type { VariableContext } from './variables.js';

/**
 * Evaluates `preconditions` / `deny.conditions`: `any` (at least one) and `all` (every one),
 * or a legacy bare list meaning `all`. Conditions are substituted one at a time and evaluation
 * short-circuits, as Kyverno does, so a later condition's bad variable is not an error when an
 * earlier one already decided. Absent conditions are true.
 */
export type ConditionsResult =
  | { readonly ok: true; readonly passed: boolean; readonly message?: string }
  | { readonly ok: false; readonly error: string };

export function evaluateConditions(conditions: Conditions | null | undefined, ctx: VariableContext): ConditionsResult {
  if (!conditions) return { ok: true, passed: true };
  const all = Array.isArray(conditions) ? conditions : conditions.all ?? [];
  const any = Array.isArray(conditions) ? [] : conditions.any ?? [];
  let anyPassed = any.length === 0;
  let lastMessage: string | undefined;
  for (const c of any) {
    const r = evaluateCondition(c, ctx);
    if (!r.ok) return r;
    if (r.passed) { anyPassed = true; break; }
    lastMessage = r.message ?? lastMessage;
  }
  if (!anyPassed) return { ok: true, passed: false, ...(lastMessage ? { message: lastMessage } : {}) };
  for (const c of all) {
    const r = evaluateCondition(c, ctx);
    if (!r.ok || !r.passed) return r;
  }
  return { ok: true, passed: true };
}

function evaluateCondition(c: Condition, ctx: VariableContext): ConditionsResult {
  const key = substituteAll(c.key ?? null, ctx);
  if (!key.ok) return key;
  const value = substituteAll(c.value ?? null, ctx);
  if (!value.ok) return value;
  const passed = evaluateOperator(c.operator, key.value, value.value);
  if (passed === undefined) return { ok: false, error: `unknown condition operator '${c.operator}'` };
  return { ok: true, passed, ...(c.message && !passed ? { message: c.message } : {}) };
}
