import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BosunError } from '../../errors.js';
import { checkRule, type ImmutableTagRule, type NewRule, type RuleSelector, type RuleStore } from './rules.js';
import { openSqliteRuleStore } from './sqlite-store.js';

// The administrative side of stored rules, for `bosun registry rules`: each call opens the
// data directory's meta.db, does one thing and closes it. A running registry sees the change
// on its next write.

async function withStore<T>(dataDir: string, fn: (store: RuleStore) => Promise<T>): Promise<T> {
  await mkdir(dataDir, { recursive: true });
  const store = await openSqliteRuleStore(join(dataDir, 'meta.db'));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Stores a rule (idempotent: the same patterns return the existing rule); throws REGISTRY_RULE_INVALID. */
export async function addImmutableTagRule(dataDir: string, rule: NewRule): Promise<ImmutableTagRule> {
  const checked = checkRule(rule);
  return withStore(dataDir, (store) => store.add(checked));
}

/** The stored rules, by id (rules declared in registry.yaml are not included). */
export async function listImmutableTagRules(dataDir: string): Promise<ImmutableTagRule[]> {
  return withStore(dataDir, (store) => store.list());
}

/** Removes a stored rule by id or by its patterns; throws REGISTRY_RULE_UNKNOWN when none matches. */
export async function removeImmutableTagRule(dataDir: string, selector: RuleSelector): Promise<ImmutableTagRule> {
  const removed = await withStore(dataDir, (store) => store.remove(selector));
  if (!removed) {
    const what = 'id' in selector ? `id ${selector.id}` : `repository "${selector.repository}", tag "${selector.tag}"`;
    throw new BosunError('REGISTRY_RULE_UNKNOWN', `no stored immutable tag rule with ${what}`);
  }
  return removed;
}
