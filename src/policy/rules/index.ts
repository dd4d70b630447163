import { validateAnyPattern } from './validate-any-pattern.js';
import { validateDeny } from './validate-deny.js';
import { validateForeach } from './validate-foreach.js';
import { validatePattern } from './validate-pattern.js';
import { verifyImagesRule } from './verify-images.js';
import type { RuleKind } from './types.js';

export type { RuleInput, RuleKind, RuleOutcome } from './types.js';
export type { ImageVerifier } from './verify-images.js';
export { verifyImagesRule } from './verify-images.js';

/** The rule kinds the engine tries, in order; the first whose `appliesTo` holds evaluates the rule. */
export const defaultRuleKinds: readonly RuleKind[] = [validatePattern, validateAnyPattern, validateDeny, validateForeach, verifyImagesRule()];
