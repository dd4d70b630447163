import { createHash } from 'node:crypto';
import { z } from 'zod';
import { BosunError } from '../../errors.js';
import { errorFromResponse, readBounded } from './errors.js';
import type { Credentials } from './options.js';
import { describeUrl, type Transport } from './transport.js';

/** One `WWW-Authenticate` challenge. spec: RFC 7235 §4.1; distribution token auth spec. */
export interface Challenge {
  scheme: 'bearer' | 'basic';
  realm?: string;
  service?: string;
  scope?: string;
}

const maxHeaderLength = 8192;
const maxTokenBodyBytes = 1024 * 1024;
// spec: distribution token.md: a token without expires_in lasts 60 seconds.
const defaultTokenSeconds = 60;
const maxCachedTokens = 256;

/**
 * Parses a `WWW-Authenticate` header: the first Bearer or Basic challenge, with its
 * parameters (quoted values may hold commas, as multi-action scopes do). Undefined when
 * the header offers neither.
 */
export function parseChallenge(header: string | string[] | undefined): Challenge | undefined {
  const text = (Array.isArray(header) ? header.join(', ') : header ?? '').slice(0, maxHeaderLength);
  const re = /(?:^|,)\s*(bearer|basic)\b((?:\s*,?\s*[a-z0-9_-]+\s*=\s*(?:"(?:[^"\\]|\\.)*"|[^\s,"]*))*)/gi;
  const m = re.exec(text);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  for (const p of m[2]!.matchAll(/([a-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))/gi)) {
    params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
  }
  const challenge: Challenge = { scheme: m[1]!.toLowerCase() as Challenge['scheme'] };
  if (params.realm) challenge.realm = params.realm;
  if (params.service) challenge.service = params.service;
  if (params.scope) challenge.scope = params.scope;
  return challenge;
}

/** `Authorization: Basic …` for username/password credentials, or undefined. */
export function basicHeader(creds: Credentials | undefined): string | undefined {
  if (!creds?.username || creds.password === undefined) return undefined;
  return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
}

const tokenSchema = z.object({
  token: z.string().max(64 * 1024).optional(),
  access_token: z.string().max(64 * 1024).optional(),
  expires_in: z.number().positive().optional(),
});

interface CachedToken {
  token: string;
  expiresAt: number;
}

// Tokens are cached per registry, scope and credentials (hashed: the key never holds a secret),
// process-wide, until shortly before they expire.
const tokenCache = new Map<string, CachedToken>();
const inflight = new Map<string, Promise<string>>();

function cacheKey(registry: string, scopes: readonly string[], creds: Credentials | undefined): string {
  const who = createHash('sha256').update(JSON.stringify([creds?.username, creds?.password, creds?.identityToken])).digest('hex');
  return `${registry}|${[...scopes].sort().join(' ')}|${who}`;
}

/** Drops every cached bearer token (tests, or after credentials change). */
export function clearTokenCache(): void {
  tokenCache.clear();
}

export interface TokenRequest {
  registry: string;
  challenge: Challenge;
  scopes: readonly string[];
  creds: Credentials | undefined;
  transport: Transport;
  /** Bypasses the cache (the registry refused the cached token). */
  fresh?: boolean;
}

function realmUrl(t: TokenRequest): URL {
  let url: URL;
  try {
    url = new URL(t.challenge.realm ?? '');
  } catch (err) {
    throw new BosunError('REGISTRY_PROTOCOL', `${t.registry}: bearer challenge has an invalid realm`, { cause: err });
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && t.transport.insecure)) {
    throw new BosunError('REGISTRY_PROTOCOL', `${t.registry}: refusing token realm ${describeUrl(url)} (https required unless --insecure)`);
  }
  return url;
}

/**
 * Gets a bearer token (distribution token auth): GET realm?service&scope with Basic credentials
 * when there are some, or an OAuth2 refresh-token POST for an identity token. Accepts `token`
 * or `access_token`. Throws REGISTRY_UNAUTHORIZED / REGISTRY_DENIED / REGISTRY_PROTOCOL.
 */
export async function fetchToken(t: TokenRequest): Promise<string> {
  const key = cacheKey(t.registry, t.scopes, t.creds);
  const hit = tokenCache.get(key);
  if (!t.fresh && hit && hit.expiresAt > Date.now()) return hit.token;
  // Parallel uploads ask at once; they share one token request.
  let pending = inflight.get(key);
  if (!pending) {
    pending = requestToken(t, key).finally(() => inflight.delete(key));
    inflight.set(key, pending);
  }
  return pending;
}

async function requestToken(t: TokenRequest, key: string): Promise<string> {
  const url = realmUrl(t);
  const what = `token request to ${describeUrl(url)} for ${t.registry}`;
  const res = t.creds?.identityToken ? await postRefresh(t, url, what) : await getToken(t, url, what);
  if (res.status !== 200) throw await errorFromResponse({ what, status: res.status, body: res.body, attempts: res.attempts });
  const raw = await readBounded(res.body, maxTokenBodyBytes + 1);
  let parsed: z.infer<typeof tokenSchema> | undefined;
  try {
    const r = tokenSchema.safeParse(JSON.parse(raw.toString('utf8')));
    parsed = r.success ? r.data : undefined;
  } catch {
    parsed = undefined;
  }
  const token = parsed?.token ?? parsed?.access_token;
  if (!token || raw.length > maxTokenBodyBytes) throw new BosunError('REGISTRY_PROTOCOL', `${what}: answer holds no token`);
  const seconds = Math.min(parsed?.expires_in ?? defaultTokenSeconds, 24 * 3600);
  if (tokenCache.size >= maxCachedTokens) tokenCache.delete(tokenCache.keys().next().value!);
  // Renew a little early so a token does not expire between check and use.
  tokenCache.set(key, { token, expiresAt: Date.now() + Math.max(0, seconds - 10) * 1000 });
  return token;
}

function getToken(t: TokenRequest, url: URL, what: string) {
  const q = new URL(url);
  if (t.challenge.service) q.searchParams.set('service', t.challenge.service);
  for (const s of t.scopes) q.searchParams.append('scope', s);
  const auth = basicHeader(t.creds);
  return t.transport.send({ method: 'GET', url: q, what, headers: auth ? { authorization: auth } : {} });
}

function postRefresh(t: TokenRequest, url: URL, what: string) {
  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: t.creds!.identityToken!, client_id: 'bosun' });
  if (t.challenge.service) form.set('service', t.challenge.service);
  if (t.scopes.length) form.set('scope', t.scopes.join(' '));
  const body = Buffer.from(form.toString());
  return t.transport.send({ method: 'POST', url, what, body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
}
