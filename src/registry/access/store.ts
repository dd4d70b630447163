import type { Action } from './actions.js';

export type AccountKind = 'user' | 'robot';

/** Actions on the repositories matching a pattern (see patterns.ts). */
export interface Grant {
  pattern: string;
  actions: readonly Action[];
}

/** A user or robot account. Robot names start with `robot$`, so the two never collide. */
export interface Account {
  name: string;
  kind: AccountKind;
  /** scrypt hash (secrets.ts); the secret itself is never stored. */
  secretHash: string;
  description?: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** Sorted by pattern. */
  grants: Grant[];
}

/**
 * Accounts and their grants, beside the registry metadata (SQLite today, PostgreSQL next).
 *
 * Implementer obligations:
 * - `createAccount` stores the account and its grants atomically; an existing name throws
 *   REGISTRY_AUTH_ACCOUNT_EXISTS.
 * - Removing an account removes its grants.
 * - `setGrant` replaces the actions of an existing (account, pattern) pair.
 * - Methods naming an account return false (or undefined) when it does not exist.
 * - Changes made through another connection (the CLI while the server runs) are visible to
 *   the next call; callers do their own caching.
 * - Driver failures throw REGISTRY_SERVE_STORE_FAILED.
 */
export interface AccessStore {
  countAccounts(): Promise<number>;
  getAccount(name: string): Promise<Account | undefined>;
  /** Every account of `kind` (all when absent), by name. */
  listAccounts(kind?: AccountKind): Promise<Account[]>;
  createAccount(account: Account): Promise<void>;
  setSecret(name: string, secretHash: string): Promise<boolean>;
  deleteAccount(name: string): Promise<boolean>;
  setGrant(name: string, grant: Grant): Promise<boolean>;
  removeGrant(name: string, pattern: string): Promise<boolean>;
  close(): Promise<void>;
}
