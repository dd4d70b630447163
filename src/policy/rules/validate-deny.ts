import { checkDeny } from './checks.js';
import { ruleMessage, toOutcome } from './messages.js';
import type { RuleKind } from './types.js';

/** `validate.deny`: the request is denied when the conditions hold (or when there are none). */
export const validateDeny: RuleKind = {
  name: 'validate-deny',
  appliesTo: (rule) => rule.validate?.deny !== undefined && rule.validate.deny !== null,
  evaluate: async (input) => {
    const r = checkDeny(input.rule.validate?.deny?.conditions, input.context);
    if (r.status !== 'fail') return toOutcome(input, r);
    const msg = ruleMessage(input);
    return { status: 'fail', message: msg || `validation error: rule '${input.rule.name}' denied the request` };
  },
};
