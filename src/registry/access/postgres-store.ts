import type pg from 'pg';
import { BosunError } from '../../errors.js';
import { pgQuery, pgTransaction } from '../meta-store/pg-tx.js';
import type { Action } from './actions.js';
import type { AccessStore, Account, AccountKind, Grant } from './store.js';

interface AccountRow {
  name: string;
  kind: AccountKind;
  secret: string;
  description: string | null;
  created_at: string;
}

interface GrantRow {
  account: string;
  pattern: string;
  actions: string;
}

const area = 'access store';

function toAccount(row: AccountRow, grants: readonly GrantRow[]): Account {
  const account: Account = {
    name: row.name,
    kind: row.kind,
    secretHash: row.secret,
    createdAt: Number(row.created_at),
    grants: grants.map((g) => ({ pattern: g.pattern, actions: g.actions.split(',') as Action[] })),
  };
  if (row.description !== null) account.description = row.description;
  return account;
}

/**
 * AccessStore on the registry's PostgreSQL metadata (tables `accounts`, `account_grants`,
 * postgres-migrations.ts), over the metadata store's pool: every replica and the CLI see one
 * set of accounts. The pool belongs to the caller; `close` does not end it.
 */
export class PostgresAccessStore implements AccessStore {
  constructor(private readonly pool: pg.Pool) {}

  private q<R extends pg.QueryResultRow>(what: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    return pgQuery<R>(this.pool, area, what, sql, params);
  }

  async countAccounts(): Promise<number> {
    return Number((await this.q<{ n: string }>('count', 'SELECT count(*) AS n FROM accounts')).rows[0]!.n);
  }

  async getAccount(name: string): Promise<Account | undefined> {
    const { rows } = await this.q<AccountRow>('get account', 'SELECT * FROM accounts WHERE name = $1', [name]);
    if (!rows[0]) return undefined;
    const grants = await this.q<GrantRow>('get account', 'SELECT * FROM account_grants WHERE account = $1 ORDER BY pattern', [name]);
    return toAccount(rows[0], grants.rows);
  }

  async listAccounts(kind?: AccountKind): Promise<Account[]> {
    const accounts = kind
      ? await this.q<AccountRow>('list accounts', 'SELECT * FROM accounts WHERE kind = $1 ORDER BY name', [kind])
      : await this.q<AccountRow>('list accounts', 'SELECT * FROM accounts ORDER BY name');
    const grants = new Map<string, GrantRow[]>();
    for (const g of (await this.q<GrantRow>('list accounts', 'SELECT * FROM account_grants ORDER BY account, pattern')).rows) {
      grants.set(g.account, [...(grants.get(g.account) ?? []), g]);
    }
    return accounts.rows.map((r) => toAccount(r, grants.get(r.name) ?? []));
  }

  async createAccount(account: Account): Promise<void> {
    await pgTransaction(this.pool, area, 'create account', async (c) => {
      const res = await c.query(
        'INSERT INTO accounts (name, kind, secret, description, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING',
        [account.name, account.kind, account.secretHash, account.description ?? null, account.createdAt],
      );
      if (!res.rowCount) throw new BosunError('REGISTRY_AUTH_ACCOUNT_EXISTS', `account "${account.name}" already exists`);
      for (const g of account.grants) {
        await c.query('INSERT INTO account_grants (account, pattern, actions) VALUES ($1, $2, $3)', [account.name, g.pattern, g.actions.join(',')]);
      }
    });
  }

  async setSecret(name: string, secretHash: string): Promise<boolean> {
    return ((await this.q('set secret', 'UPDATE accounts SET secret = $1 WHERE name = $2', [secretHash, name])).rowCount ?? 0) > 0;
  }

  async deleteAccount(name: string): Promise<boolean> {
    return ((await this.q('delete account', 'DELETE FROM accounts WHERE name = $1', [name])).rowCount ?? 0) > 0;
  }

  async setGrant(name: string, grant: Grant): Promise<boolean> {
    // One statement: the grant is written only while the account exists (no race with a removal).
    const res = await this.q(
      'grant',
      `INSERT INTO account_grants (account, pattern, actions) SELECT name, $2, $3 FROM accounts WHERE name = $1
       ON CONFLICT (account, pattern) DO UPDATE SET actions = EXCLUDED.actions`,
      [name, grant.pattern, grant.actions.join(',')],
    );
    return (res.rowCount ?? 0) > 0;
  }

  async removeGrant(name: string, pattern: string): Promise<boolean> {
    return ((await this.q('revoke', 'DELETE FROM account_grants WHERE account = $1 AND pattern = $2', [name, pattern])).rowCount ?? 0) > 0;
  }

  async close(): Promise<void> {}
}
