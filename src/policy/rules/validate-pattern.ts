import { checkPattern } from './checks.js';
import { toOutcome } from './messages.js';
import type { RuleKind } from './types.js';

/** `validate.pattern`: the resource must match the pattern (anchors, wildcards, operators). */
export const validatePattern: RuleKind = {
  name: 'validate-pattern',
  appliesTo: (rule) => rule.validate?.pattern !== undefined && rule.validate.pattern !== null,
  evaluate: async (input) => toOutcome(input, checkPattern(input.resource, input.rule.validate?.pattern, input.context)),
};
