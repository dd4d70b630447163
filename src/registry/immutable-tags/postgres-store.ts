import type pg from 'pg';
import { BosunError } from '../../errors.js';
import { lockSpaces, pgQuery, pgTransaction, type Queryable } from '../meta-store/pg-tx.js';
import { maxStoredRules, type ImmutableTagRule, type NewRule, type RuleSelector, type RuleStore } from './rules.js';

interface RuleRow {
  id: string;
  repository: string;
  tag: string;
}

const area = 'immutable tag rules';

function toRule(row: RuleRow): ImmutableTagRule {
  return { id: String(row.id), repository: row.repository, tag: row.tag };
}

async function find(c: Queryable, rule: NewRule): Promise<RuleRow | undefined> {
  return (await c.query<RuleRow>('SELECT id, repository, tag FROM immutable_tag_rules WHERE repository = $1 AND tag = $2', [rule.repository, rule.tag])).rows[0];
}

/**
 * RuleStore on the registry's PostgreSQL metadata (table `immutable_tag_rules`), over the
 * metadata store's pool: a rule added through any replica or the CLI applies to every
 * replica's next write. Ids come from an identity column, never reused. `close` leaves the
 * pool to its owner.
 */
export class PostgresRuleStore implements RuleStore {
  constructor(private readonly pool: pg.Pool) {}

  async add(rule: NewRule): Promise<ImmutableTagRule> {
    return pgTransaction(this.pool, area, 'add', async (c) => {
      // Serialises adds, so the count limit and idempotency hold with concurrent writers.
      await c.query('SELECT pg_advisory_xact_lock($1, 0)', [lockSpaces.rules]);
      const existing = await find(c, rule);
      if (existing) return toRule(existing);
      const { rows } = await c.query<{ n: string }>('SELECT count(*) AS n FROM immutable_tag_rules');
      if (Number(rows[0]!.n) >= maxStoredRules) {
        throw new BosunError('LIMIT_EXCEEDED', `already ${maxStoredRules} immutable tag rules; remove some or use broader patterns`);
      }
      const inserted = await c.query<RuleRow>('INSERT INTO immutable_tag_rules (repository, tag, created_at) VALUES ($1, $2, $3) RETURNING id, repository, tag', [
        rule.repository,
        rule.tag,
        Date.now(),
      ]);
      return toRule(inserted.rows[0]!);
    });
  }

  async list(): Promise<ImmutableTagRule[]> {
    return (await pgQuery<RuleRow>(this.pool, area, 'list', 'SELECT id, repository, tag FROM immutable_tag_rules ORDER BY id')).rows.map(toRule);
  }

  async remove(selector: RuleSelector): Promise<ImmutableTagRule | undefined> {
    if ('id' in selector && !/^\d{1,15}$/.test(selector.id)) return undefined;
    const { rows } =
      'id' in selector
        ? await pgQuery<RuleRow>(this.pool, area, 'remove', 'DELETE FROM immutable_tag_rules WHERE id = $1 RETURNING id, repository, tag', [selector.id])
        : await pgQuery<RuleRow>(this.pool, area, 'remove', 'DELETE FROM immutable_tag_rules WHERE repository = $1 AND tag = $2 RETURNING id, repository, tag', [
            selector.repository,
            selector.tag,
          ]);
    return rows[0] && toRule(rows[0]);
  }

  async close(): Promise<void> {}
}
