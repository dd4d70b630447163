/** The Kyverno-compatible policy engine: public API of `src/policy`. */
export { evaluate, evaluatePolicy } from './engine.js';
export type { EvaluateOptions } from './engine.js';
export { parsePolicies, parseResources, toPolicy, limits as policyLimits } from './load.js';
export type { Policy, Rule, KubeObject, PolicyDocument } from './model.js';
export type { RuleResult, RuleStatus, PolicyRequest, Operation, RequestUser, SubresourceInfo } from './types.js';
export { defaultRuleKinds, verifyImagesRule } from './rules/index.js';
export type { RuleKind, RuleInput, RuleOutcome, ImageVerifier } from './rules/index.js';
export { runTests, runTestFile, isTestRunOk } from './test-runner.js';
export type { TestRun, TestCheck } from './test-runner.js';
export { applyPolicies, isBlocking } from './apply.js';
export type { ApplyOptions, ApplyRow } from './apply.js';
export { buildRequest, parseValues, parseUserInfo } from './values.js';
export { formatTestRuns, formatApplyResults } from './report.js';
export { matchPattern } from './pattern/validate.js';
export type { PatternResult } from './pattern/validate.js';
export { evaluateOperator, operatorNames } from './operators.js';
export { queryJmesPath, kyvernoFunctions } from './jmespath.js';
export { substituteAll } from './variables.js';
