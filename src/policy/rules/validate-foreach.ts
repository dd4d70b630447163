import { evaluateConditions } from '../conditions.js';
import { loadContext } from '../context.js';
import { queryJmesPath } from '../jmespath.js';
import type { ForEachValidation } from '../model.js';
import { isPlainObject } from '../pattern/operators.js';
import { substituteString } from '../variables.js';
import type { VariableContext } from '../variables.js';
import { checkAnyPattern, checkDeny, checkPattern } from './checks.js';
import type { CheckResult } from './checks.js';
import { ruleMessage, toOutcome } from './messages.js';
import type { RuleKind } from './types.js';

const MAX_NESTING = 8;
const MAX_ELEMENTS = 10_000;

/**
 * `validate.foreach`: runs pattern / anyPattern / deny (or a nested foreach) once per element
 * of `list`, with `element`, `elementIndex` (and `element<N>`, `elementIndex<N>` for nesting
 * level N) in the context. The first failing element fails the rule; an error on an element
 * other than the last is ignored (as Kyverno does); no applicable element means `skip`.
 */
export const validateForeach: RuleKind = {
  name: 'validate-foreach',
  appliesTo: (rule) => Array.isArray(rule.validate?.foreach),
  evaluate: async (input) => {
    const r = foreachList(input.rule.validate?.foreach ?? [], input.resource, input.context, 0);
    if (r.status !== 'fail') return toOutcome(input, r);
    const msg = ruleMessage(input);
    return { status: 'fail', message: `validation failure: ${msg ? `${msg} ` : ''}(rule '${input.rule.name}': ${r.detail})` };
  },
};

function foreachList(list: readonly ForEachValidation[], resource: unknown, ctx: VariableContext, nesting: number): CheckResult {
  if (nesting >= MAX_NESTING) return { status: 'error', detail: 'foreach nests too deeply' };
  let applied = 0;
  for (const fe of list) {
    const r = foreachElements(fe, resource, ctx, nesting);
    if (r.status === 'fail' || r.status === 'error') return r;
    if (r.status === 'pass') applied++;
  }
  return applied === 0 ? { status: 'skip', detail: 'no foreach element applied' } : { status: 'pass', detail: '' };
}

function evaluateList(fe: ForEachValidation, ctx: VariableContext): { ok: true; items: unknown[] } | { ok: false; error: string } {
  const expr = substituteString(fe.list, ctx);
  if (!expr.ok) return expr;
  const q = queryJmesPath(String(expr.value), ctx.data);
  if (!q.ok) return { ok: false, error: q.error };
  const items = Array.isArray(q.value) ? q.value : [q.value];
  return items.length > MAX_ELEMENTS ? { ok: false, error: `foreach list has more than ${MAX_ELEMENTS} elements` } : { ok: true, items };
}

function foreachElements(fe: ForEachValidation, resource: unknown, ctx: VariableContext, nesting: number): CheckResult {
  const list = evaluateList(fe, ctx);
  if (!list.ok) return { status: 'error', detail: list.error };
  let applied = 0;
  for (const [index, element] of list.items.entries()) {
    if (element === null || element === undefined) continue;
    const scoped = fe.elementScope ?? isPlainObject(element);
    if (scoped && !isPlainObject(element)) return { status: 'error', detail: `elementScope is true but element ${index} is not an object` };
    const elementCtx = withElement(ctx, element, index, nesting);
    const loaded = loadContext(fe.context, elementCtx.data as Record<string, unknown>, !!ctx.isDelete);
    if (!loaded.ok) return { status: 'error', detail: loaded.error };
    const pre = evaluateConditions(fe.preconditions, elementCtx);
    if (!pre.ok) return { status: 'error', detail: pre.error };
    if (!pre.passed) continue;
    const r = check(fe, scoped ? element : resource, elementCtx, nesting);
    if (r.status === 'skip') continue;
    if (r.status === 'error' && index < list.items.length - 1) continue;
    if (r.status !== 'pass') return { status: r.status, detail: `element ${index}: ${r.detail}${r.path ? ` at path ${r.path}` : ''}` };
    applied++;
  }
  return applied === 0 ? { status: 'skip', detail: 'no foreach element applied' } : { status: 'pass', detail: '' };
}

function check(fe: ForEachValidation, target: unknown, ctx: VariableContext, nesting: number): CheckResult {
  if (fe.foreach) return foreachList(fe.foreach, target, ctx, nesting + 1);
  if (fe.pattern !== undefined && fe.pattern !== null) return checkPattern(target, fe.pattern, ctx);
  if (fe.anyPattern) return checkAnyPattern(target, fe.anyPattern, ctx);
  if (fe.deny) return checkDeny(fe.deny.conditions, ctx);
  return { status: 'error', detail: 'foreach needs one of pattern, anyPattern, deny or foreach' };
}

function withElement(ctx: VariableContext, element: unknown, index: number, nesting: number): VariableContext {
  const data = { ...(ctx.data as Record<string, unknown>), element, elementIndex: index, [`element${nesting}`]: element, [`elementIndex${nesting}`]: index };
  return { data, isDelete: !!ctx.isDelete };
}
