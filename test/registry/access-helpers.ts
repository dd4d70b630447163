// Helpers for the access control tests: an in-process registry with accounts, and tokens.
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import type { RegistryExtension } from '../../src/registry/app.js';
import type { Action } from '../../src/registry/access/actions.js';
import { installAccess, type AuthConfig } from '../../src/registry/access/extension.js';
import { hashSecret } from '../../src/registry/access/secrets.js';
import { generateSigningKey, type SigningKey } from '../../src/registry/access/signing-key.js';
import { SqliteAccessStore } from '../../src/registry/access/sqlite-store.js';
import { defaultRegistryConfig } from '../../src/registry/config.js';
import { RegistryEvents, type RegistryEvent } from '../../src/registry/events.js';
import type { MetaStore } from '../../src/registry/meta-store/meta-store.js';
import { makeApp } from './helpers.js';

export interface AccountSpec {
  name: string;
  password: string;
  grants: Array<{ pattern: string; actions: Action[] }>;
}

export interface AuthApp {
  app: FastifyInstance & { meta: MetaStore };
  store: SqliteAccessStore;
  key: SigningKey;
  events: RegistryEvent[];
  close(): Promise<void>;
}

/** A registry app with access control on, the given accounts, every event recorded, and `after` extensions. */
export async function makeAuthApp(accounts: AccountSpec[], auth: Partial<AuthConfig> = {}, after: RegistryExtension[] = []): Promise<AuthApp> {
  const store = new SqliteAccessStore(':memory:');
  for (const a of accounts) {
    await store.createAccount({ name: a.name, kind: a.name.startsWith('robot$') ? 'robot' : 'user', secretHash: await hashSecret(a.password), createdAt: Date.now(), grants: a.grants });
  }
  const key = generateSigningKey();
  const seen: RegistryEvent[] = [];
  const events = new RegistryEvents();
  events.on((e) => {
    seen.push(e);
  });
  const config: AuthConfig = { ...defaultRegistryConfig().auth, enabled: true, ...auth };
  const app = await makeApp({ events, extensions: [async (a, ctx) => void (await installAccess(a, ctx, { config, store, key })), ...after] });
  return { app, store, key, events: seen, close: async () => { await app.close(); await store.close(); } };
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** Asks the token endpoint for `scopes` (Basic credentials when given); returns the token. */
export async function tokenFor(app: FastifyInstance, scopes: string[], creds?: { user: string; password: string }): Promise<string> {
  const q = new URLSearchParams({ service: 'bosun-registry' });
  for (const s of scopes) q.append('scope', s);
  const res = await app.inject({ method: 'GET', url: `/token?${q}`, headers: creds ? { authorization: basic(creds.user, creds.password) } : {} });
  assert.equal(res.statusCode, 200, res.body);
  return (JSON.parse(res.body) as { token: string }).token;
}
