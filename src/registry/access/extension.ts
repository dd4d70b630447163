import type { FastifyInstance } from 'fastify';
import type { RegistryExtension } from '../app.js';
import type { RegistryConfig } from '../config.js';
import type { RegistryContext } from '../context.js';
import { ensureAdmin } from './bootstrap.js';
import { accessGate } from './gate.js';
import { Principals } from './principals.js';
import { requestAccess } from './request-access.js';
import type { SigningKey } from './signing-key.js';
import type { AccessStore } from './store.js';
import { tokenRoute } from './token-route.js';
import { TokenService } from './tokens.js';

/** registry.yaml's `auth:` section. */
export type AuthConfig = RegistryConfig['auth'];

/** Where the token endpoint is served. */
export const tokenPath = '/token';

export interface InstallAccessOptions {
  config: AuthConfig;
  store: AccessStore;
  /** The token signing key, or how to load it (only called when access control is on). */
  key: SigningKey | (() => Promise<SigningKey>);
  /** How long a checked password or loaded account is trusted (default 60 s). */
  accountCacheMs?: number;
  /** Clock for tests (ms since the epoch). */
  now?: () => number;
}

/** Whether access control is on: `auto` turns it on once an account exists. */
export async function isAccessEnabled(config: AuthConfig, store: AccessStore): Promise<boolean> {
  if (config.enabled !== 'auto') return config.enabled;
  return (await store.countAccounts()) > 0;
}

/**
 * Turns access control on in a registry app: the access hook on every request, the token
 * endpoint, the mount check (CVE-2024-39897: mount only from repositories the caller may
 * pull) and the catalog filter. Resolves false (and installs nothing but a warning) when the
 * configuration leaves it off.
 */
export async function installAccess(app: FastifyInstance, ctx: RegistryContext, opts: InstallAccessOptions): Promise<boolean> {
  const { config, store } = opts;
  if (!(await isAccessEnabled(config, store))) {
    app.log.warn('registry access control is OFF (no users or robots, auth.enabled is not true): anyone who can reach it can push, overwrite and delete; keep it on loopback or add a user');
    return false;
  }
  const now = opts.now ?? Date.now;
  const principals = new Principals(store, { anonymousPull: config.anonymousPull, ttlMs: opts.accountCacheMs ?? 60_000, now });
  const key = typeof opts.key === 'function' ? await opts.key() : opts.key;
  const tokens = new TokenService(key, { issuer: config.issuer, service: config.service, ttlSeconds: config.tokenTtlSeconds, now });
  const shared = { principals, tokens, events: ctx.events, service: config.service, tokenPath, ...(config.realm ? { realm: config.realm } : {}) };
  app.addHook('onRequest', accessGate(shared));
  await tokenRoute(app, { ...shared, path: tokenPath });
  ctx.mayMountFrom = async (request, from) => requestAccess(request)?.may(from, 'pull') === true;
  ctx.isRepositoryVisible = (request, repo) => requestAccess(request)?.mayList(repo) === true;
  if ((await store.countAccounts()) === 0) app.log.warn('registry access control is on but there are no users or robots: only anonymous pulls (auth.anonymousPull) work');
  return true;
}

/**
 * The access control feature: accounts in `store` (openFeatureStores: meta.db or PostgreSQL;
 * its owner closes it), the token signing key from `key` (loaded only when access control is
 * on; `<data>/token-key.pem` or the database, see FeatureStores.signingKey), and the quick
 * start's admin account when `adminPasswordFile` is set.
 */
export function accessExtension(config: AuthConfig, deps: { store: AccessStore; key: () => Promise<SigningKey> }): RegistryExtension {
  const { store, key } = deps;
  return async (app, ctx) => {
    if (config.adminPasswordFile !== undefined) {
      const boot = await ensureAdmin(store, config.adminPasswordFile);
      if (boot.created) app.log.info({ file: config.adminPasswordFile, generated: boot.generated }, 'created user admin (admin on **) with the password in the file');
      if (boot.exposed) app.log.warn({ file: config.adminPasswordFile }, 'the admin password file is readable by group or others; chmod 600 it');
    }
    await installAccess(app, ctx, { config, store, key });
  };
}
