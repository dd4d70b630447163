import type { MatchResources, Policy, ResourceFilter, Rule } from './model.js';

/**
 * Kyverno auto-generation of Pod-controller rules: a rule that matches Pods also runs on the
 * controllers' pod templates, as `autogen-<rule>` (Deployment, DaemonSet, Job, StatefulSet,
 * ReplicaSet, ReplicationController; pattern under `spec.template`) and `autogen-cronjob-<rule>`
 * (CronJob; under `spec.jobTemplate.spec.template`). The
 * `pod-policies.kyverno.io/autogen-controllers` annotation narrows the list, or disables it
 * with `none`.
 */
export const AUTOGEN_ANNOTATION = 'pod-policies.kyverno.io/autogen-controllers';
export const POD_CONTROLLERS = ['DaemonSet', 'Deployment', 'Job', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'CronJob'] as const;

/** The controllers autogen applies to for this policy (empty when it cannot or must not). */
export function autogenControllers(policy: Policy): string[] {
  const annotation = policy.annotations[AUTOGEN_ANNOTATION];
  if (annotation !== undefined && annotation.trim().toLowerCase() === 'none') return [];
  if (!canAutogen(policy.rules)) return [];
  if (annotation === undefined) return [...POD_CONTROLLERS];
  return annotation.split(',').map((s) => s.trim()).filter((s) => (POD_CONTROLLERS as readonly string[]).includes(s));
}

const expanded = new WeakMap<Policy, readonly Rule[]>();

/**
 * The policy's rules followed by their generated controller rules. Memoised per policy object
 * (policies are immutable once parsed): generating costs a JSON round trip per rule, which a
 * webhook would otherwise pay on every request, and stable rule objects let per-rule parses
 * (verifyImages keys) be memoised too.
 */
export function expandRules(policy: Policy): readonly Rule[] {
  let rules = expanded.get(policy);
  if (!rules) expanded.set(policy, (rules = generateRules(policy)));
  return rules;
}

function generateRules(policy: Policy): Rule[] {
  const controllers = autogenControllers(policy);
  const plain = controllers.filter((c) => c !== 'CronJob');
  const out: Rule[] = [...policy.rules];
  for (const rule of policy.rules) {
    if (!matchesPods(rule)) continue;
    if (plain.length > 0) out.push(generate(rule, `autogen-${rule.name}`, plain, ['spec', 'template']));
    if (controllers.includes('CronJob')) out.push(generate(rule, `autogen-cronjob-${rule.name}`, ['CronJob'], ['spec', 'jobTemplate', 'spec', 'template']));
  }
  return out;
}

/** Kyverno's Pod-controller check: true for a Pod or Job owned only by a listed controller. */
export function isManagedPod(policy: Policy, kind: string, owners: ReadonlyArray<{ kind?: string }>): boolean {
  const annotation = policy.annotations[AUTOGEN_ANNOTATION];
  if (annotation === undefined || annotation.toLowerCase() === 'none') return false;
  if ((kind !== 'Pod' && kind !== 'Job') || owners.length === 0) return false;
  return owners.every((o) => o.kind === 'ReplicaSet' || (o.kind !== undefined && annotation.includes(o.kind)));
}

function descriptions(m: MatchResources | null | undefined): ResourceFilter[] {
  if (!m) return [];
  return [...(m.any ?? []), ...(m.all ?? []), { resources: m.resources }];
}

function canAutogen(rules: readonly Rule[]): boolean {
  let needed = false;
  for (const rule of rules) {
    for (const f of [...descriptions(rule.match), ...descriptions(rule.exclude)]) {
      const d = f.resources;
      if (!d) continue;
      if (d.name || d.names?.length || d.selector || d.annotations) return false;
      const kinds = d.kinds ?? [];
      if (kinds.length > 1 && kinds.includes('Pod')) return false;
      if (kinds.includes('Pod')) needed = true;
    }
  }
  return needed;
}

function matchesPods(rule: Rule): boolean {
  return descriptions(rule.match).some((f) => f.resources?.kinds?.includes('Pod'));
}

function generate(rule: Rule, name: string, kinds: string[], templatePath: string[]): Rule {
  const prefix = templatePath.join('.');
  const rewritten = JSON.parse(
    JSON.stringify({ ...rule, validate: rule.validate ? { ...rule.validate, pattern: undefined, anyPattern: undefined } : rule.validate })
      .replace(/request\.(object|oldObject)\.(spec|metadata)\b/g, (_m, obj: string, field: string) => `request.${obj}.${prefix}.${field}`),
  ) as Rule;
  const wrap = (p: unknown): unknown => templatePath.reduceRight<unknown>((acc, seg) => ({ [seg]: acc }), p);
  const validate = rule.validate
    ? {
        ...rewritten.validate,
        ...(rule.validate.pattern !== undefined ? { pattern: wrap(rule.validate.pattern) } : {}),
        ...(rule.validate.anyPattern ? { anyPattern: rule.validate.anyPattern.map(wrap) } : {}),
      }
    : rewritten.validate;
  return { ...rewritten, name, match: withKinds(rule.match, kinds), exclude: rule.exclude ? withKinds(rule.exclude, kinds) : rule.exclude, validate };
}

function withKinds(m: MatchResources, kinds: string[]): MatchResources {
  const fix = (f: ResourceFilter): ResourceFilter =>
    f.resources?.kinds?.includes('Pod') ? { ...f, resources: { ...f.resources, kinds } } : f;
  return {
    ...m,
    ...(m.any ? { any: m.any.map(fix) } : {}),
    ...(m.all ? { all: m.all.map(fix) } : {}),
    ...(m.resources?.kinds?.includes('Pod') ? { resources: { ...m.resources, kinds } } : {}),
  };
}
