import Database from 'better-sqlite3';
import { BosunError } from '../../errors.js';
import { SqliteMetaStore } from '../meta-store/sqlite.js';
import { maxStoredRules, type ImmutableTagRule, type NewRule, type RuleSelector, type RuleStore } from './rules.js';
import { migrateMetaDatabase } from '../meta-store/sqlite.js';

interface RuleRow {
  id: number;
  repository: string;
  tag: string;
}

function toRule(row: RuleRow): ImmutableTagRule {
  return { id: String(row.id), repository: row.repository, tag: row.tag };
}

function guarded<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof BosunError) throw err;
    throw new BosunError('REGISTRY_SERVE_STORE_FAILED', `immutable tag rules: ${what} failed`, { cause: err });
  }
}

/**
 * RuleStore on the registry's SQLite metadata database (table `immutable_tag_rules`, created by
 * the metadata migrations). It uses its own connection: the CLI may add rules while a
 * registry process serves the same file (WAL; writers wait up to 5 s for each other).
 */
export class SqliteRuleStore implements RuleStore {
  private readonly db: Database.Database;
  private readonly stmt: ReturnType<SqliteRuleStore['prepare']>;

  /** Opens the rules of an already migrated meta.db; see `openSqliteRuleStore`. */
  constructor(file: string) {
    this.db = guarded('open', () => new Database(file, { timeout: 5000 }));
    // Migrated here too: with PostgreSQL metadata, nothing else may have created meta.db yet.
    guarded('open', () => migrateMetaDatabase(this.db));
    this.stmt = guarded('open', () => this.prepare());
  }

  private prepare() {
    const db = this.db;
    return {
      list: db.prepare<[], RuleRow>('SELECT id, repository, tag FROM immutable_tag_rules ORDER BY id'),
      count: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM immutable_tag_rules'),
      find: db.prepare<[string, string], RuleRow>('SELECT id, repository, tag FROM immutable_tag_rules WHERE repository = ? AND tag = ?'),
      byId: db.prepare<[number], RuleRow>('SELECT id, repository, tag FROM immutable_tag_rules WHERE id = ?'),
      insert: db.prepare<[string, string, number], RuleRow>('INSERT INTO immutable_tag_rules (repository, tag, created_at) VALUES (?, ?, ?) RETURNING id, repository, tag'),
      remove: db.prepare<[number]>('DELETE FROM immutable_tag_rules WHERE id = ?'),
    };
  }

  async add(rule: NewRule): Promise<ImmutableTagRule> {
    return guarded('add', () =>
      this.db.transaction(() => {
        const existing = this.stmt.find.get(rule.repository, rule.tag);
        if (existing) return toRule(existing);
        if (this.stmt.count.get()!.n >= maxStoredRules) {
          throw new BosunError('LIMIT_EXCEEDED', `already ${maxStoredRules} immutable tag rules; remove some or use broader patterns`);
        }
        return toRule(this.stmt.insert.get(rule.repository, rule.tag, Date.now())!);
      }).immediate(),
    );
  }

  async list(): Promise<ImmutableTagRule[]> {
    return guarded('list', () => this.stmt.list.all().map(toRule));
  }

  async remove(selector: RuleSelector): Promise<ImmutableTagRule | undefined> {
    return guarded('remove', () =>
      this.db.transaction(() => {
        const row = 'id' in selector ? (/^\d{1,15}$/.test(selector.id) ? this.stmt.byId.get(Number(selector.id)) : undefined) : this.stmt.find.get(selector.repository, selector.tag);
        if (row) this.stmt.remove.run(row.id);
        return row && toRule(row);
      }).immediate(),
    );
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

/** Opens the rules in `file` (a registry's meta.db), creating and migrating the database first. */
export async function openSqliteRuleStore(file: string): Promise<SqliteRuleStore> {
  await new SqliteMetaStore(file).close();
  return new SqliteRuleStore(file);
}
