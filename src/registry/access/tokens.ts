import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { BosunError } from '../../errors.js';
import { expandActions, scopeAction, type Action } from './actions.js';
import { signJwt, verifyJwt } from './jwt.js';
import type { SigningKey } from './signing-key.js';

/** One entry of a token's `access` claim (distribution token spec, "JWT claims"). */
export interface AccessEntry {
  type: string;
  name: string;
  /** Token-scope spelling: pull, push, delete, `*`. */
  actions: string[];
}

/** What a verified token allows; `subject` is '' for an anonymous token. */
export interface VerifiedToken {
  subject: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  /** Repository name → actions granted (implications applied). */
  repositories: ReadonlyMap<string, ReadonlySet<Action>>;
  /** True when the token grants `registry:catalog:*`. */
  catalog: boolean;
}

export interface IssuedToken {
  token: string;
  expiresIn: number;
  issuedAt: Date;
}

export interface TokenServiceOptions {
  /** `iss` written and required. */
  issuer: string;
  /** `aud` written and required: the registry's service name. */
  service: string;
  ttlSeconds: number;
  /** Clock for tests (ms since the epoch). */
  now?: () => number;
  /** Verified tokens kept in memory (default 10000). */
  cacheEntries?: number;
}

const claimsSchema = z.object({
  iss: z.string().max(256),
  sub: z.string().max(256),
  aud: z.union([z.string().max(256), z.array(z.string().max(256)).max(8)]),
  exp: z.number(),
  nbf: z.number().optional(),
  iat: z.number().optional(),
  access: z
    .array(z.object({ type: z.string().max(64), name: z.string().max(256), actions: z.array(z.string().max(16)).max(8) }))
    .max(64)
    .default([]),
});

function refused(why: string): BosunError {
  return new BosunError('REGISTRY_AUTH_TOKEN_INVALID', `bearer token refused: ${why}`);
}

/**
 * Issues and verifies the registry's bearer tokens: ES256 JWTs signed with the registry's own
 * key. A verified token is cached by its exact string until it expires, so each further
 * request costs a map lookup rather than a signature check; a tampered token is a different
 * string and is verified afresh.
 */
export class TokenService {
  readonly #cache = new Map<string, VerifiedToken>();
  readonly #now: () => number;
  readonly #max: number;

  constructor(private readonly key: SigningKey, private readonly opts: TokenServiceOptions) {
    this.#now = opts.now ?? Date.now;
    this.#max = opts.cacheEntries ?? 10_000;
  }

  /** Signs a token for `subject` ('' when anonymous) granting `access`, valid for the TTL. */
  issue(subject: string, access: AccessEntry[]): IssuedToken {
    const now = this.#now();
    const iat = Math.floor(now / 1000);
    const claims = {
      iss: this.opts.issuer,
      sub: subject,
      aud: this.opts.service,
      exp: iat + this.opts.ttlSeconds,
      nbf: iat,
      iat,
      jti: randomBytes(16).toString('hex'),
      access,
    };
    return { token: signJwt(claims, this.key), expiresIn: this.opts.ttlSeconds, issuedAt: new Date(iat * 1000) };
  }

  /**
   * What `token` allows. Throws REGISTRY_AUTH_TOKEN_INVALID when the signature, algorithm,
   * header, issuer or audience is wrong, or the token is expired or not yet valid.
   */
  verify(token: string): VerifiedToken {
    const now = this.#now();
    const hit = this.#cache.get(token);
    if (hit) {
      if (hit.expiresAt > now) return hit;
      this.#cache.delete(token);
      throw refused('expired');
    }
    const verified = this.check(verifyJwt(token, this.key), now);
    if (this.#cache.size >= this.#max) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(token, verified);
    return verified;
  }

  private check(payload: unknown, now: number): VerifiedToken {
    const parsed = claimsSchema.safeParse(payload);
    if (!parsed.success) throw refused('claims are malformed');
    const c = parsed.data;
    if (c.iss !== this.opts.issuer) throw refused('issued by someone else');
    const audiences = Array.isArray(c.aud) ? c.aud : [c.aud];
    if (!audiences.includes(this.opts.service)) throw refused('meant for another service');
    const seconds = now / 1000;
    if (c.exp <= seconds) throw refused('expired');
    if (c.nbf !== undefined && c.nbf > seconds) throw refused('not valid yet');
    const repositories = new Map<string, Set<Action>>();
    let catalog = false;
    for (const entry of c.access) {
      const actions = entry.actions.map(scopeAction).filter((a): a is Action => a !== undefined);
      if (entry.type === 'repository') repositories.set(entry.name, expandActions([...(repositories.get(entry.name) ?? []), ...actions]));
      if (entry.type === 'registry' && entry.name === 'catalog' && entry.actions.includes('*')) catalog = true;
    }
    return { subject: c.sub, expiresAt: c.exp * 1000, repositories, catalog };
  }
}
