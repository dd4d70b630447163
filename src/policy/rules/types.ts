import type { KubeObject, Policy, Rule } from '../model.js';
import type { VariableContext } from '../variables.js';

/** What a rule kind gets to evaluate one rule on one resource (match and preconditions passed). */
export interface RuleInput {
  readonly policy: Policy;
  readonly rule: Rule;
  /** The resource under admission (for a subresource request, the subresource object). */
  readonly resource: KubeObject;
  /** Variable context with request, images, context entries and values loaded. */
  readonly context: VariableContext;
  readonly signal?: AbortSignal;
}

/** A rule kind's verdict; the engine adds policy, rule name and failure action. */
export interface RuleOutcome {
  readonly status: 'pass' | 'fail' | 'error' | 'skip';
  readonly message: string;
}

/**
 * One kind of rule (validate pattern, validate deny, verifyImages, …). Implementers:
 * - claim rules through `appliesTo`, which must be cheap and side-effect free;
 * - never throw for policy or resource content: bad input is an `error` outcome;
 * - honour `signal` when they do I/O (verifyImages talks to registries).
 */
export interface RuleKind {
  readonly name: string;
  appliesTo(rule: Rule): boolean;
  evaluate(input: RuleInput): Promise<RuleOutcome>;
}
