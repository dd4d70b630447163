import type { FastifyRequest } from 'fastify';
import { isBosunError } from '../../errors.js';
import type { Actor, RegistryEvents } from '../events.js';
import { maxTokenLength } from './jwt.js';
import type { Principal, Principals } from './principals.js';
import { principalAccess, tokenAccess, type RequestAccess } from './request-access.js';
import type { TokenService, VerifiedToken } from './tokens.js';

/** The caller's access (and token, for bearer requests), or which scheme was refused. */
export type Authentication =
  | { ok: true; access: RequestAccess; token?: VerifiedToken }
  | { ok: false; scheme: 'basic' | 'bearer' | 'other' };

export interface CredentialCheck {
  principals: Principals;
  tokens: TokenService;
  events: RegistryEvents;
}

/** Username and password of a Basic header, or undefined when malformed. */
export function parseBasic(value: string): { username: string; password: string } | undefined {
  const text = Buffer.from(value, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0 || colon > 256) return undefined;
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

function claimedActor(request: FastifyRequest, username: string): Actor {
  return { name: username.slice(0, 100), kind: username.startsWith('robot$') ? 'robot' : 'user', ip: request.ip };
}

/**
 * Checks a Basic username and password, emitting `login` events: a failure always, a success
 * only when the secret was actually verified (not per cached request).
 */
export async function login(request: FastifyRequest, value: string, check: CredentialCheck): Promise<Principal | undefined> {
  const creds = parseBasic(value);
  const result = creds ? await check.principals.login(creds.username, creds.password) : undefined;
  const actor = claimedActor(request, creds?.username ?? '');
  if (!result) check.events.emit({ type: 'login', actor, ok: false, reason: creds ? 'wrong username or password' : 'malformed Basic credentials' });
  else if (result.checked) check.events.emit({ type: 'login', actor, ok: true });
  return result?.principal;
}

/**
 * Reads the Authorization header: none (anonymous), Basic (users and robots) or Bearer (a
 * token from this registry's realm). Invalid credentials never fall back to anonymous.
 */
export async function authenticate(request: FastifyRequest, check: CredentialCheck): Promise<Authentication> {
  const header = request.headers.authorization;
  if (header === undefined || header === '') return { ok: true, access: principalAccess(check.principals.anonymous, 'none') };
  const m = /^(basic|bearer) +(\S{1,8192})$/i.exec(header.length > maxTokenLength + 16 ? '' : header);
  if (!m) return { ok: false, scheme: 'other' };
  if (m[1]!.toLowerCase() === 'basic') {
    const principal = await login(request, m[2]!, check);
    return principal ? { ok: true, access: principalAccess(principal, 'basic') } : { ok: false, scheme: 'basic' };
  }
  try {
    const token = check.tokens.verify(m[2]!);
    return { ok: true, access: tokenAccess(token), token };
  } catch (err) {
    if (isBosunError(err, 'REGISTRY_AUTH_TOKEN_INVALID')) return { ok: false, scheme: 'bearer' };
    throw err;
  }
}
