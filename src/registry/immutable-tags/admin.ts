import { BosunError } from '../../errors.js';
import { withFeatureStores, type RegistryTarget } from '../registry-target.js';
import { checkRule, type ImmutableTagRule, type NewRule, type RuleSelector, type RuleStore } from './rules.js';

// The administrative side of stored rules, for `bosun registry rules`: each call opens the
// registry's metadata (the data directory's meta.db, or the PostgreSQL database registry.yaml
// names), does one thing and closes it. A running registry sees the change on its next write.

/** A data directory (SQLite), or a data directory with registry.yaml's storage section. */
export type RulesTarget = string | RegistryTarget;

function withStore<T>(target: RulesTarget, fn: (store: RuleStore) => Promise<T>): Promise<T> {
  const t = typeof target === 'string' ? { dataDir: target } : target;
  // A missing meta.db is created: rules may be stored before the registry first starts.
  return withFeatureStores(t, { create: true }, (stores) => fn(stores.rules));
}

/** Stores a rule (idempotent: the same patterns return the existing rule); throws REGISTRY_RULE_INVALID. */
export async function addImmutableTagRule(target: RulesTarget, rule: NewRule): Promise<ImmutableTagRule> {
  const checked = checkRule(rule);
  return withStore(target, (store) => store.add(checked));
}

/** The stored rules, by id (rules declared in registry.yaml are not included). */
export async function listImmutableTagRules(target: RulesTarget): Promise<ImmutableTagRule[]> {
  return withStore(target, (store) => store.list());
}

/** Removes a stored rule by id or by its patterns; throws REGISTRY_RULE_UNKNOWN when none matches. */
export async function removeImmutableTagRule(target: RulesTarget, selector: RuleSelector): Promise<ImmutableTagRule> {
  const removed = await withStore(target, (store) => store.remove(selector));
  if (!removed) {
    const what = 'id' in selector ? `id ${selector.id}` : `repository "${selector.repository}", tag "${selector.tag}"`;
    throw new BosunError('REGISTRY_RULE_UNKNOWN', `no stored immutable tag rule with ${what}`);
  }
  return removed;
}
