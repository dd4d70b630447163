import { z } from 'zod';
import { BosunError } from '../../errors.js';
import { compileGlob, matchGlob } from './glob.js';

/** A rule as stored or declared: tags matching `tag` in repositories matching `repository`. */
export interface ImmutableTagRule {
  /** A number for stored rules, `config:<n>` for rules declared in registry.yaml. */
  id: string;
  repository: string;
  tag: string;
}

export type NewRule = Omit<ImmutableTagRule, 'id'>;

/** Which stored rule to remove: by id, or by its exact patterns. */
export type RuleSelector = { id: string } | NewRule;

/** At most this many stored rules; every write checks them all. */
export const maxStoredRules = 1000;

/** A rule's two globs; both are checked (REGISTRY_RULE_INVALID) when parsed. */
export const newRuleSchema = z
  .object({
    repository: z.string().superRefine(globIssue),
    tag: z.string().superRefine(globIssue),
  })
  .strict();

function globIssue(pattern: string, ctx: z.RefinementCtx): void {
  try {
    compileGlob(pattern);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
}

/** Throws REGISTRY_RULE_INVALID unless both patterns are valid globs. */
export function checkRule(rule: NewRule): NewRule {
  compileGlob(rule.repository);
  compileGlob(rule.tag);
  return { repository: rule.repository, tag: rule.tag };
}

/**
 * Stored immutable tag rules (the registry's metadata database). Implementer obligations:
 * `add` is idempotent (the same patterns return the existing rule) and refuses past
 * `maxStoredRules` with LIMIT_EXCEEDED; ids are never reused after `remove`, so a message
 * naming a rule stays unambiguous; `list` is ordered by id; failures throw
 * REGISTRY_SERVE_STORE_FAILED. Patterns are validated by the caller (`checkRule`).
 */
export interface RuleStore {
  add(rule: NewRule): Promise<ImmutableTagRule>;
  list(): Promise<ImmutableTagRule[]>;
  /** The removed rule, or undefined when none matched. */
  remove(selector: RuleSelector): Promise<ImmutableTagRule | undefined>;
  close(): Promise<void>;
}

/** `rule 3 (repository "prod/**", tag "v*")`, as error messages name a rule. */
export function describeRule(rule: ImmutableTagRule): string {
  return `rule ${rule.id} (repository "${rule.repository}", tag "${rule.tag}")`;
}

/**
 * The rules in force: those declared in registry.yaml plus the stored ones, read afresh on
 * every check so that `bosun registry rules add` takes effect at once on a running registry.
 * Checks run only on writes (a stored-rule read is one small indexed query) and globs are
 * compiled once (glob.ts caches them).
 */
export class RuleSet {
  readonly #declared: ImmutableTagRule[];

  constructor(
    declared: readonly NewRule[],
    private readonly store?: RuleStore,
  ) {
    this.#declared = declared.map((r, i) => ({ id: `config:${i + 1}`, ...checkRule(r) }));
  }

  async all(): Promise<ImmutableTagRule[]> {
    return this.store ? [...this.#declared, ...(await this.store.list())] : this.#declared;
  }

  /** The first rule protecting `tag` in `repo`, if any. */
  async protecting(repo: string, tag: string): Promise<ImmutableTagRule | undefined> {
    return (await this.all()).find((r) => matchGlob(r.repository, repo) && matchGlob(r.tag, tag));
  }

  /** Every rule whose repository pattern matches `repo`. */
  async forRepository(repo: string): Promise<ImmutableTagRule[]> {
    return (await this.all()).filter((r) => matchGlob(r.repository, repo));
  }
}

/** The REGISTRY_TAG_IMMUTABLE error for an attempt to `action` a protected tag. */
export function immutableTagError(rule: ImmutableTagRule, repo: string, tag: string, action: string): BosunError {
  return new BosunError('REGISTRY_TAG_IMMUTABLE', `cannot ${action} tag "${tag}" of "${repo}": it is immutable by ${describeRule(rule)}`);
}
