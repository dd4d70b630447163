import { createPrivateKey } from 'node:crypto';
import type pg from 'pg';
import { BosunError } from '../../errors.js';
import { pgQuery } from '../meta-store/pg-tx.js';
import { generateSigningKey, signingKeyFrom, type SigningKey } from './signing-key.js';

const keyName = 'token-signing';

async function storedPem(pool: pg.Pool): Promise<string | undefined> {
  const { rows } = await pgQuery<{ pem: string }>(pool, 'access store', 'read the token signing key', 'SELECT pem FROM registry_keys WHERE name = $1', [keyName]);
  return rows[0]?.pem;
}

/**
 * The token signing key of a fleet, kept in PostgreSQL (table `registry_keys`) so a token
 * issued by one replica verifies on every other. The first replica to start generates it; the
 * insert is a no-op for the others, which then read the winner's key. Whoever can read the
 * database can mint tokens, as whoever can write it can add accounts: guard it accordingly.
 * Throws REGISTRY_AUTH_KEY_INVALID for a stored key that is not a P-256 private key,
 * REGISTRY_SERVE_STORE_FAILED when the database fails.
 */
export async function loadOrCreatePostgresSigningKey(pool: pg.Pool): Promise<SigningKey> {
  let pem = await storedPem(pool);
  if (pem === undefined) {
    const fresh = generateSigningKey().privateKey.export({ format: 'pem', type: 'pkcs8' });
    await pgQuery(pool, 'access store', 'store the token signing key', 'INSERT INTO registry_keys (name, pem, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING', [
      keyName,
      fresh,
      Date.now(),
    ]);
    pem = (await storedPem(pool))!;
  }
  try {
    return signingKeyFrom(createPrivateKey(pem));
  } catch (err) {
    if (err instanceof BosunError) throw err;
    throw new BosunError('REGISTRY_AUTH_KEY_INVALID', 'the token signing key in the database is not a PEM private key', { cause: err });
  }
}
