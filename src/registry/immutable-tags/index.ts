export { immutableTags, type ImmutableTagsOptions } from './extension.js';
export { compileGlob, matchGlob, validateGlob } from './glob.js';
export { ImmutableTagGuard } from './guard.js';
export { checkRule, describeRule, maxStoredRules, RuleSet, type ImmutableTagRule, type NewRule, type RuleSelector, type RuleStore } from './rules.js';
export { openSqliteRuleStore, SqliteRuleStore } from './sqlite-store.js';
export { PostgresRuleStore } from './postgres-store.js';
export { addImmutableTagRule, listImmutableTagRules, removeImmutableTagRule, type RulesTarget } from './admin.js';
