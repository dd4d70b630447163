import { checkAnyPattern } from './checks.js';
import { toOutcome } from './messages.js';
import type { RuleKind } from './types.js';

/** `validate.anyPattern`: at least one of the patterns must match. */
export const validateAnyPattern: RuleKind = {
  name: 'validate-any-pattern',
  appliesTo: (rule) => Array.isArray(rule.validate?.anyPattern),
  evaluate: async (input) => toOutcome(input, checkAnyPattern(input.resource, input.rule.validate?.anyPattern ?? [], input.context)),
};
