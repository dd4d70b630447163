import { createHash } from 'node:crypto';
import { expandActions, type Action } from './actions.js';
import { matchesPattern } from './patterns.js';
import { hashSecret, verifySecret } from './secrets.js';
import type { AccessStore, Grant } from './store.js';

/** Who is asking, with every grant that applies (the anonymous grants included). */
export interface Principal {
  /** Absent for anonymous callers. */
  name?: string;
  kind: 'user' | 'robot' | 'anonymous';
  grants: readonly Grant[];
}

/** The actions `grants` give on repository `repo`, implications applied. */
export function actionsOn(grants: readonly Grant[], repo: string): Set<Action> {
  const out: Action[] = [];
  for (const g of grants) if (matchesPattern(g.pattern, repo)) out.push(...g.actions);
  return expandActions(out);
}

export interface PrincipalsOptions {
  /** Repository patterns anyone may pull from. */
  anonymousPull: readonly string[];
  /** How long a checked password or a loaded account is trusted before the store is asked again. */
  ttlMs: number;
  now?: () => number;
}

interface Cached {
  principal: Principal;
  until: number;
}

const maxCached = 10_000;

// An unknown account name costs the same scrypt as a wrong password, so response times do not
// tell which account names exist.
let dummy: Promise<string> | undefined;
function dummyHash(): Promise<string> {
  dummy ??= hashSecret('bosun: no such account');
  return dummy;
}

/**
 * Resolves callers to principals over an AccessStore. Successful logins and loaded accounts
 * are cached for `ttlMs`, so Basic auth costs one scrypt per credential and TTL, not per
 * request; account changes (a revoked grant, a new password) take effect within the TTL.
 * Failed logins are never cached.
 */
export class Principals {
  readonly anonymous: Principal;
  readonly #logins = new Map<string, Cached>();
  readonly #accounts = new Map<string, Cached>();
  readonly #now: () => number;

  constructor(private readonly store: AccessStore, private readonly opts: PrincipalsOptions) {
    this.anonymous = { kind: 'anonymous', grants: opts.anonymousPull.map((pattern) => ({ pattern, actions: ['pull'] })) };
    this.#now = opts.now ?? Date.now;
  }

  /** The account `name` as a principal; the anonymous principal for '' or an unknown name. */
  async byName(name: string): Promise<Principal> {
    if (name === '') return this.anonymous;
    const hit = this.fresh(this.#accounts, name);
    if (hit) return hit;
    const account = await this.store.getAccount(name);
    const principal: Principal = account
      ? { name: account.name, kind: account.kind, grants: [...account.grants, ...this.anonymous.grants] }
      : this.anonymous;
    this.remember(this.#accounts, name, principal);
    return principal;
  }

  /**
   * Checks a username and password (or robot secret). Resolves the principal, with `checked`
   * true when the secret was actually verified now (not served from the cache); undefined
   * when the account is unknown or the secret wrong.
   */
  async login(username: string, secret: string): Promise<{ principal: Principal; checked: boolean } | undefined> {
    const key = createHash('sha256').update(username).update('\0').update(secret).digest('hex');
    const hit = this.fresh(this.#logins, key);
    if (hit) return { principal: hit, checked: false };
    const account = await this.store.getAccount(username);
    if (!account) {
      await verifySecret(secret, await dummyHash());
      return undefined;
    }
    if (!(await verifySecret(secret, account.secretHash))) return undefined;
    const principal: Principal = { name: account.name, kind: account.kind, grants: [...account.grants, ...this.anonymous.grants] };
    this.remember(this.#logins, key, principal);
    this.remember(this.#accounts, account.name, principal);
    return { principal, checked: true };
  }

  private fresh(map: Map<string, Cached>, key: string): Principal | undefined {
    const hit = map.get(key);
    if (!hit) return undefined;
    if (hit.until > this.#now()) return hit.principal;
    map.delete(key);
    return undefined;
  }

  private remember(map: Map<string, Cached>, key: string, principal: Principal): void {
    if (map.size >= maxCached) map.delete(map.keys().next().value!);
    map.set(key, { principal, until: this.#now() + this.opts.ttlMs });
  }
}
