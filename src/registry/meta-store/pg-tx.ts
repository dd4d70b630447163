import type pg from 'pg';
import { BosunError } from '../../errors.js';

/** A connection or pool: what a statement needs. */
export type Queryable = Pick<pg.PoolClient, 'query'>;

// Deadlock and serialization failures: the transaction did nothing and may simply run again.
const retryable = new Set(['40P01', '40001']);

/**
 * Advisory lock key spaces (the two-integer form, which never overlaps the single-bigint
 * form the schema migration uses). Each feature locks `(space, hashtext(name))`; a hash
 * collision only serialises two unrelated writes.
 */
export const lockSpaces = { tag: 1, content: 2, audit: 3, rules: 4, lifecycle: 5 } as const;

/** `area (postgres): what failed`, as REGISTRY_SERVE_STORE_FAILED; BosunErrors pass through. */
export function pgStoreFailed(area: string, what: string, err: unknown): BosunError {
  if (err instanceof BosunError) return err;
  return new BosunError('REGISTRY_SERVE_STORE_FAILED', `${area} (postgres): ${what} failed`, { cause: err });
}

/** One statement on the pool; driver errors become REGISTRY_SERVE_STORE_FAILED. */
export async function pgQuery<R extends pg.QueryResultRow>(pool: pg.Pool, area: string, what: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
  try {
    return await pool.query<R>(sql, params);
  } catch (err) {
    throw pgStoreFailed(area, what, err);
  }
}

/**
 * A pooled connection for a caller to hold across several statements. pg emits `error` on a
 * checked-out client whose server connection drops (a PostgreSQL restart, a terminated backend)
 * and the pool listens only while the client is idle: without a listener here that event would
 * crash the process. The drop surfaces instead as the failure of the client's next statement;
 * `release(true)` then discards the connection.
 */
export async function checkout(pool: pg.Pool): Promise<pg.PoolClient> {
  const client = await pool.connect();
  const onDrop = (): void => {};
  client.on('error', onDrop);
  const release = client.release.bind(client);
  client.release = (err?: Error | boolean) => {
    client.removeListener('error', onDrop);
    release(err);
  };
  return client;
}

/** Thrown inside `pgTransaction` to roll back and return `value` (dry runs). */
export class Rollback<T> {
  constructor(readonly value: T) {}
}

/**
 * Runs `fn` in a transaction on one pooled connection, committed with `synchronous_commit =
 * on` (durable on the server before the promise resolves) unless `fn` throws a `Rollback`,
 * whose value is then returned. Retried on deadlock and serialization failures; other errors
 * throw REGISTRY_SERVE_STORE_FAILED (BosunErrors from `fn` pass through).
 */
export async function pgTransaction<T>(pool: pg.Pool, area: string, what: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let client: pg.PoolClient | undefined;
    try {
      client = await checkout(pool);
      await client.query('BEGIN');
      await client.query('SET LOCAL synchronous_commit = on');
      const out = await fn(client);
      await client.query('COMMIT');
      client.release();
      return out;
    } catch (err) {
      // A failed ROLLBACK means the connection is broken: release(true) discards it.
      const broken = client ? await client.query('ROLLBACK').then(() => false, () => true) : false;
      client?.release(broken);
      if (err instanceof Rollback) return err.value as T;
      const code = (err as { code?: string }).code;
      if (attempt < 3 && code !== undefined && retryable.has(code)) continue;
      throw pgStoreFailed(area, what, err);
    }
  }
}
