import Database from 'better-sqlite3';
import { BosunError } from '../../errors.js';
import { migrateMetaDatabase } from '../meta-store/sqlite.js';
import type { Action } from './actions.js';
import type { AccessStore, Account, AccountKind, Grant } from './store.js';

interface AccountRow {
  name: string;
  kind: AccountKind;
  secret: string;
  description: string | null;
  created_at: number;
}

interface GrantRow {
  account: string;
  pattern: string;
  actions: string;
}

function guarded<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof BosunError) throw err;
    throw new BosunError('REGISTRY_SERVE_STORE_FAILED', `access store: ${what} failed`, { cause: err });
  }
}

function toAccount(row: AccountRow, grants: GrantRow[]): Account {
  const account: Account = {
    name: row.name,
    kind: row.kind,
    secretHash: row.secret,
    createdAt: row.created_at,
    grants: grants.map((g) => ({ pattern: g.pattern, actions: g.actions.split(',') as Action[] })),
  };
  if (row.description !== null) account.description = row.description;
  return account;
}

/**
 * AccessStore in the registry's meta.db (tables `accounts`, `account_grants`), on a connection
 * of its own so the CLI can manage accounts with or without a running server.
 */
export class SqliteAccessStore implements AccessStore {
  private readonly db: Database.Database;
  private readonly stmt: ReturnType<SqliteAccessStore['prepare']>;

  /** Opens (creating and migrating) the database at `file`; ':memory:' for a throwaway one. */
  constructor(file: string) {
    this.db = guarded('open', () => new Database(file, { timeout: 5000 }));
    guarded('migrate', () => migrateMetaDatabase(this.db));
    // Account changes are rare and must survive power loss like pushes do.
    this.db.pragma('synchronous = FULL');
    this.stmt = this.prepare();
  }

  private prepare() {
    const db = this.db;
    return {
      count: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM accounts'),
      get: db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE name = ?'),
      grantsOf: db.prepare<[string], GrantRow>('SELECT * FROM account_grants WHERE account = ? ORDER BY pattern'),
      listAll: db.prepare<[], AccountRow>('SELECT * FROM accounts ORDER BY name'),
      listKind: db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE kind = ? ORDER BY name'),
      allGrants: db.prepare<[], GrantRow>('SELECT * FROM account_grants ORDER BY account, pattern'),
      insert: db.prepare<[string, string, string, string | null, number]>(
        'INSERT INTO accounts (name, kind, secret, description, created_at) VALUES (?, ?, ?, ?, ?)',
      ),
      setSecret: db.prepare<[string, string]>('UPDATE accounts SET secret = ? WHERE name = ?'),
      remove: db.prepare<[string]>('DELETE FROM accounts WHERE name = ?'),
      setGrant: db.prepare<[string, string, string]>('INSERT OR REPLACE INTO account_grants (account, pattern, actions) VALUES (?, ?, ?)'),
      removeGrant: db.prepare<[string, string]>('DELETE FROM account_grants WHERE account = ? AND pattern = ?'),
    };
  }

  async countAccounts(): Promise<number> {
    return guarded('count', () => this.stmt.count.get()!.n);
  }

  async getAccount(name: string): Promise<Account | undefined> {
    return guarded('get account', () => {
      const row = this.stmt.get.get(name);
      return row ? toAccount(row, this.stmt.grantsOf.all(name)) : undefined;
    });
  }

  async listAccounts(kind?: AccountKind): Promise<Account[]> {
    return guarded('list accounts', () => {
      const rows = kind ? this.stmt.listKind.all(kind) : this.stmt.listAll.all();
      const grants = new Map<string, GrantRow[]>();
      for (const g of this.stmt.allGrants.all()) grants.set(g.account, [...(grants.get(g.account) ?? []), g]);
      return rows.map((r) => toAccount(r, grants.get(r.name) ?? []));
    });
  }

  async createAccount(account: Account): Promise<void> {
    guarded('create account', () =>
      this.db.transaction(() => {
        if (this.stmt.get.get(account.name)) throw new BosunError('REGISTRY_AUTH_ACCOUNT_EXISTS', `account "${account.name}" already exists`);
        this.stmt.insert.run(account.name, account.kind, account.secretHash, account.description ?? null, account.createdAt);
        for (const g of account.grants) this.stmt.setGrant.run(account.name, g.pattern, g.actions.join(','));
      })(),
    );
  }

  async setSecret(name: string, secretHash: string): Promise<boolean> {
    return guarded('set secret', () => this.stmt.setSecret.run(secretHash, name).changes > 0);
  }

  async deleteAccount(name: string): Promise<boolean> {
    return guarded('delete account', () => this.stmt.remove.run(name).changes > 0);
  }

  async setGrant(name: string, grant: Grant): Promise<boolean> {
    return guarded('grant', () => {
      if (!this.stmt.get.get(name)) return false;
      this.stmt.setGrant.run(name, grant.pattern, grant.actions.join(','));
      return true;
    });
  }

  async removeGrant(name: string, pattern: string): Promise<boolean> {
    return guarded('revoke', () => this.stmt.removeGrant.run(name, pattern).changes > 0);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
