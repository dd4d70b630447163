import { z } from 'zod';
import { ruleSelects } from '../policy/match.js';
import { matchSchema } from '../policy/model.js';
import type { PolicyRequest, RuleResult } from '../policy/index.js';

/**
 * Break-glass PolicyExceptions (kyverno.io/v2 shape). One is accepted only when it lives in the
 * configured exceptions namespace and carries a reason, a ticket reference and an expiry in its
 * annotations; expired ones are ignored. Every use is returned so it can be logged and reported.
 */
export const exceptionAnnotations = {
  reason: 'bosun.dev/reason',
  ticket: 'bosun.dev/ticket',
  expires: 'bosun.dev/expires',
} as const;

const exceptionSchema = z.looseObject({
  apiVersion: z.string().regex(/^kyverno\.io\/v2(beta1)?$/),
  kind: z.literal('PolicyException'),
  metadata: z.looseObject({ name: z.string().min(1), namespace: z.string().optional(), annotations: z.record(z.string(), z.string()).optional() }),
  spec: z.looseObject({
    exceptions: z.array(z.object({ policyName: z.string().min(1), ruleNames: z.array(z.string().min(1)).min(1) })).min(1).max(64),
    match: matchSchema,
  }),
});

export interface PolicyException {
  readonly key: string;
  readonly reason: string;
  readonly ticket: string;
  readonly expires: Date;
  readonly exceptions: ReadonlyArray<{ readonly policyName: string; readonly ruleNames: readonly string[] }>;
  readonly match: z.infer<typeof matchSchema>;
}

/** A document that was not accepted, and why (logged at start-up). */
export interface RejectedException {
  readonly name: string;
  readonly reason: string;
}

/** Sorts documents into accepted exceptions and rejections; never throws for content. */
export function acceptExceptions(docs: readonly unknown[], namespace: string): { accepted: PolicyException[]; rejected: RejectedException[] } {
  const accepted: PolicyException[] = [];
  const rejected: RejectedException[] = [];
  for (const doc of docs) {
    const r = exceptionSchema.safeParse(doc);
    const name = String((doc as { metadata?: { name?: unknown } } | null)?.metadata?.name ?? '?');
    if (!r.success) { rejected.push({ name, reason: 'not a kyverno.io/v2 PolicyException' }); continue; }
    const m = r.data.metadata;
    const a = m.annotations ?? {};
    const expires = new Date(a[exceptionAnnotations.expires] ?? '');
    const why = m.namespace !== namespace ? `not in the exceptions namespace '${namespace}'`
      : !a[exceptionAnnotations.reason] ? `no ${exceptionAnnotations.reason} annotation`
      : !a[exceptionAnnotations.ticket] ? `no ${exceptionAnnotations.ticket} annotation`
      : Number.isNaN(expires.getTime()) ? `no RFC 3339 ${exceptionAnnotations.expires} annotation` : undefined;
    if (why) { rejected.push({ name: `${m.namespace ?? ''}/${m.name}`, reason: why }); continue; }
    accepted.push({ key: `${namespace}/${m.name}`, reason: a[exceptionAnnotations.reason]!, ticket: a[exceptionAnnotations.ticket]!, expires, exceptions: r.data.spec.exceptions, match: r.data.spec.match });
  }
  return { accepted, rejected };
}

/** One exception applied to one rule result. */
export interface ExceptionUse {
  readonly exception: string;
  readonly ticket: string;
  readonly policy: string;
  readonly rule: string;
}

/**
 * Turns failing results covered by a live exception into `skip` (Kyverno reports excepted rules
 * as skipped). Rule names match as written or as their `autogen-` forms.
 */
export function applyExceptions(results: readonly RuleResult[], req: PolicyRequest, exceptions: readonly PolicyException[], now: Date): { results: RuleResult[]; used: ExceptionUse[] } {
  const live = exceptions.filter((e) => e.expires.getTime() > now.getTime() && ruleSelects(e.match, undefined, req));
  const used: ExceptionUse[] = [];
  const out = results.map((r) => {
    if (r.status !== 'fail' && r.status !== 'error') return r;
    const base = r.rule.replace(/^autogen-(cronjob-)?/, '');
    const hit = live.find((e) => e.exceptions.some((x) => x.policyName === r.policy && (x.ruleNames.includes(r.rule) || x.ruleNames.includes(base))));
    if (!hit) return r;
    used.push({ exception: hit.key, ticket: hit.ticket, policy: r.policy, rule: r.rule });
    return { ...r, status: 'skip' as const, message: `excepted by PolicyException ${hit.key} (${hit.ticket}): ${r.message}` };
  });
  return { results: out, used };
}
