import { expandRules, isManagedPod } from './autogen.js';
import { evaluateConditions } from './conditions.js';
import { applyVariables, baseContext, loadContext } from './context.js';
import { ruleSelects } from './match.js';
import type { Policy, Rule } from './model.js';
import { defaultRuleKinds } from './rules/index.js';
import type { RuleKind, RuleOutcome } from './rules/index.js';
import { matchWildcard } from './wildcard.js';
import type { PolicyRequest, RuleResult, RuleStatus } from './types.js';

/**
 * The policy engine: runs every rule of every policy that selects the request.
 * Rules that do not match (or are excluded) produce no result; a rule whose preconditions do
 * not hold is `skip`; anything wrong while evaluating a rule is an `error` result, never a throw.
 */
export interface EvaluateOptions {
  /** Rule kinds to use instead of `defaultRuleKinds` (e.g. with a real verifyImages verifier). */
  readonly ruleKinds?: readonly RuleKind[];
  readonly signal?: AbortSignal;
}

/** Results of all `policies` on the request, policy by policy, rule by rule (autogen rules last). */
export async function evaluate(policies: readonly Policy[], req: PolicyRequest, opts: EvaluateOptions = {}): Promise<RuleResult[]> {
  const out: RuleResult[] = [];
  for (const p of policies) out.push(...(await evaluatePolicy(p, req, opts)));
  return out;
}

const CLUSTER_SCOPED = new Set(['Namespace', 'Node', 'ClusterRole', 'ClusterRoleBinding', 'PersistentVolume', 'StorageClass', 'CustomResourceDefinition', 'ClusterPolicy', 'PriorityClass', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']);

/** Results of one policy on the request. */
export async function evaluatePolicy(policy: Policy, req: PolicyRequest, opts: EvaluateOptions = {}): Promise<RuleResult[]> {
  const r = req.resource;
  if (policy.namespace !== undefined) {
    const ns = r.metadata?.namespace || (CLUSTER_SCOPED.has(r.kind ?? '') ? '' : 'default');
    if (ns !== policy.namespace) return [];
  }
  if (isManagedPod(policy, r.kind ?? '', r.metadata?.ownerReferences ?? [])) return [];
  const kinds = opts.ruleKinds ?? defaultRuleKinds;
  const out: RuleResult[] = [];
  for (const rule of expandRules(policy)) {
    opts.signal?.throwIfAborted();
    if (!ruleSelects(rule.match, rule.exclude, req)) continue;
    const kind = kinds.find((k) => k.appliesTo(rule));
    if (!kind) continue;
    const outcome = await evaluateRule(policy, rule, kind, req, opts);
    out.push({ policy: policy.key, rule: rule.name, status: finalStatus(policy, outcome.status), message: outcome.message, failureAction: failureAction(policy, rule, req) });
  }
  return out;
}

// Only context entries (rule or foreach) and variables write into a rule's data. Rules without
// them read the request's base context, built once per request instead of deep-copied per rule
// (the copy was the largest cost of a webhook decision).
const shared = new WeakMap<PolicyRequest, Record<string, unknown>>();
const writes = new WeakMap<Rule, boolean>();

function hasContextEntries(v: unknown, depth = 0): boolean {
  if (depth > 32 || typeof v !== 'object' || v === null) return false;
  if (Array.isArray(v)) return v.some((x) => hasContextEntries(x, depth + 1));
  return Object.entries(v).some(([k, x]) => (k === 'context' && Array.isArray(x) && x.length > 0) || hasContextEntries(x, depth + 1));
}

function ruleData(rule: Rule, req: PolicyRequest, ruleVars: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
  let writer = writes.get(rule);
  if (writer === undefined) writes.set(rule, (writer = (rule.context?.length ?? 0) > 0 || hasContextEntries(rule.validate?.foreach)));
  if (writer || ruleVars || req.variables) return baseContext(req, req.resource);
  let data = shared.get(req);
  if (!data) shared.set(req, (data = baseContext(req, req.resource)));
  return data;
}

async function evaluateRule(policy: Policy, rule: Rule, kind: RuleKind, req: PolicyRequest, opts: EvaluateOptions): Promise<RuleOutcome> {
  const isDelete = req.operation === 'DELETE';
  const ruleVars = req.ruleVariables?.[baseRuleName(rule.name)];
  const data = ruleData(rule, req, ruleVars);
  applyVariables(data, ruleVars);
  const loaded = loadContext(rule.context, data, isDelete);
  if (!loaded.ok) return { status: 'error', message: `rule '${rule.name}': ${loaded.error}` };
  // Values from the test's values file win over context entries, as in Kyverno's CLI.
  applyVariables(data, req.variables);
  applyVariables(data, ruleVars);
  const context = { data, isDelete };
  const pre = evaluateConditions(rule.preconditions, context);
  if (!pre.ok) return { status: 'error', message: `rule '${rule.name}': preconditions could not be evaluated: ${pre.error}` };
  if (!pre.passed) return { status: 'skip', message: `rule '${rule.name}' skipped: preconditions not met` };
  try {
    return await kind.evaluate({ policy, rule, resource: req.resource, context, ...(opts.signal ? { signal: opts.signal } : {}) });
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    return { status: 'error', message: `rule '${rule.name}': ${(err as Error).message}` };
  }
}

function baseRuleName(name: string): string {
  return name.replace(/^autogen-(cronjob-)?/, '');
}

function finalStatus(policy: Policy, status: RuleOutcome['status']): RuleStatus {
  return status === 'fail' && policy.annotations['policies.kyverno.io/scored'] === 'false' ? 'warn' : status;
}

function failureAction(policy: Policy, rule: Rule, req: PolicyRequest): 'Enforce' | 'Audit' {
  const spec = policy.document.spec;
  const overrides = rule.validate?.failureActionOverrides ?? spec.validationFailureActionOverrides ?? [];
  const ns = req.resource.metadata?.namespace ?? '';
  const hit = overrides.find((o) => (o.namespaces ?? []).some((n) => matchWildcard(n, ns)));
  const action = hit?.action ?? rule.validate?.failureAction ?? spec.validationFailureAction ?? 'Audit';
  return action.toLowerCase() === 'enforce' ? 'Enforce' : 'Audit';
}
