import type { RuleInput, RuleOutcome } from './types.js';
import { substituteString } from '../variables.js';
import type { CheckResult } from './checks.js';

/** The rule's `validate.message` with variables substituted (raw text if substitution fails). */
export function ruleMessage(input: RuleInput): string {
  const raw = input.rule.validate?.message ?? '';
  const r = substituteString(raw, input.context);
  return r.ok ? String(r.value) : raw;
}

/** Turns a check result into a rule outcome with Kyverno-style messages. */
export function toOutcome(input: RuleInput, r: CheckResult): RuleOutcome {
  const name = input.rule.name;
  switch (r.status) {
    case 'pass': return { status: 'pass', message: `validation rule '${name}' passed.` };
    case 'skip': return { status: 'skip', message: `rule '${name}' skipped: ${r.detail}` };
    case 'error': return { status: 'error', message: `rule '${name}' could not be evaluated: ${r.detail}` };
    case 'fail': {
      // Kyverno's wording: "validation error: <message>. rule <name> failed at path <path>".
      const msg = ruleMessage(input);
      const where = r.path ? ` failed at path ${r.path} (${r.detail})` : r.detail.startsWith('[') ? r.detail : `: ${r.detail}`;
      return { status: 'fail', message: `validation error: ${msg ? `${msg}. ` : ''}rule ${name}${where}` };
    }
  }
}
