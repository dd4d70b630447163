import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { z } from 'zod';
import { BosunError, redactUrl } from '../../errors.js';
import { readAll } from '../../oci/read-all.js';
import { readFileCapped } from '../read-file.js';

/** The audience Fulcio expects in CI-issued tokens (cosign and sigstore-js ask for it too). */
export const SIGSTORE_AUDIENCE = 'sigstore';

/** Identity tokens are a few KiB; anything larger is not one. */
const maxTokenBytes = 64 * 1024;
const jwtShape = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

// Only the claims bosun relies on; the token is otherwise opaque and Fulcio checks its signature.
const claimsSchema = z.object({
  iss: z.string().min(1),
  sub: z.string().min(1).optional(),
  email: z.string().min(1).optional(),
  exp: z.number(),
  nbf: z.number().optional(),
}).loose();

/** A syntactically valid, unexpired OIDC identity token and the claims bosun reads from it. */
export interface IdentityToken {
  readonly raw: string;
  readonly issuer: string;
  /** What Fulcio binds and the proof of possession signs: `email` for email issuers, else `sub`. */
  readonly subject: string;
  /** Expiry, seconds since the epoch. */
  readonly expiresAt: number;
  /** Where the token came from, for messages: 'flag', 'SIGSTORE_ID_TOKEN' or 'github-actions'. */
  readonly source: TokenSource;
}

export type TokenSource = 'flag' | 'SIGSTORE_ID_TOKEN' | 'github-actions';

// sigstore-js and Fulcio bind the email for these issuers, the `sub` claim for the others.
const emailIssuers = new Set(['https://accounts.google.com', 'https://oauth2.sigstore.dev/auth']);

/**
 * Parses a JWT without verifying it (Fulcio does that) and rejects what would surely fail
 * there, before any network call: not three base64url parts, a payload that is not JSON with
 * `iss` and `exp`, no subject, or an expired token (`now` in ms; 60 s leeway on `nbf`).
 * The token never appears in a message. Throws SIGN_KEYLESS_TOKEN_INVALID, SIGN_KEYLESS_TOKEN_EXPIRED.
 */
export function parseIdentityToken(raw: string, source: TokenSource, now = Date.now()): IdentityToken {
  const token = raw.trim();
  if (token.length > maxTokenBytes || !jwtShape.test(token)) throw new BosunError('SIGN_KEYLESS_TOKEN_INVALID', `identity token from ${source} is not a JWT (three base64url parts)`);
  let claims: z.infer<typeof claimsSchema>;
  try {
    claims = claimsSchema.parse(JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8')));
  } catch (err) {
    throw new BosunError('SIGN_KEYLESS_TOKEN_INVALID', `identity token from ${source} has no JSON payload with iss and exp`, { cause: err instanceof z.ZodError ? err : undefined });
  }
  const subject = emailIssuers.has(claims.iss) ? claims.email : claims.sub;
  if (!subject) throw new BosunError('SIGN_KEYLESS_TOKEN_INVALID', `identity token from ${source} (issuer '${claims.iss}') has no subject claim`);
  const seconds = now / 1000;
  if (claims.exp <= seconds) throw new BosunError('SIGN_KEYLESS_TOKEN_EXPIRED', `identity token from ${source} expired at ${new Date(claims.exp * 1000).toISOString()}`);
  if (claims.nbf !== undefined && claims.nbf > seconds + 60) throw new BosunError('SIGN_KEYLESS_TOKEN_EXPIRED', `identity token from ${source} is not valid before ${new Date(claims.nbf * 1000).toISOString()}`);
  return { raw: token, issuer: claims.iss, subject, expiresAt: claims.exp, source };
}

/** Where `resolveIdentityToken` looks. */
export interface TokenOptions {
  /** `--identity-token`: the JWT itself, or a file holding it. */
  readonly identityToken?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
  readonly now?: number;
}

/**
 * Finds the identity token the way cosign does: `--identity-token` (a JWT, else a file path),
 * then `SIGSTORE_ID_TOKEN`, then GitHub Actions' ambient token (`ACTIONS_ID_TOKEN_REQUEST_URL`
 * with `audience=sigstore`, bearer `ACTIONS_ID_TOKEN_REQUEST_TOKEN`). The result is checked by
 * `parseIdentityToken`. Throws SIGN_KEYLESS_TOKEN_MISSING, SIGN_KEYLESS_TOKEN_FETCH_FAILED and
 * the codes of `parseIdentityToken`.
 */
export async function resolveIdentityToken(opts: TokenOptions = {}): Promise<IdentityToken> {
  const env = opts.env ?? process.env;
  if (opts.identityToken !== undefined) return parseIdentityToken(await tokenFromFlag(opts.identityToken), 'flag', opts.now);
  if (env.SIGSTORE_ID_TOKEN) return parseIdentityToken(env.SIGSTORE_ID_TOKEN, 'SIGSTORE_ID_TOKEN', opts.now);
  const url = env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const bearer = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (url && bearer) return parseIdentityToken(await githubActionsToken(url, bearer, opts.signal), 'github-actions', opts.now);
  throw new BosunError('SIGN_KEYLESS_TOKEN_MISSING', 'no --key, no --identity-token, no SIGSTORE_ID_TOKEN and no GitHub Actions OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN)');
}

async function tokenFromFlag(value: string): Promise<string> {
  if (jwtShape.test(value.trim())) return value;
  try {
    return (await readFileCapped(value, maxTokenBytes, 'identity token file')).toString('utf8');
  } catch (err) {
    if (err instanceof BosunError && err.code === 'IO_FAILED') throw new BosunError('SIGN_KEYLESS_TOKEN_INVALID', '--identity-token is neither a JWT nor a readable file', { cause: err });
    throw err;
  }
}

const githubResponse = z.object({ value: z.string().min(1) }).loose();

async function githubActionsToken(requestUrl: string, bearer: string, signal?: AbortSignal): Promise<string> {
  const where = redactUrl(requestUrl).replace(/\?.*$/, '');
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch (err) {
    throw new BosunError('SIGN_KEYLESS_TOKEN_FETCH_FAILED', `ACTIONS_ID_TOKEN_REQUEST_URL is not a URL`, { cause: err });
  }
  url.searchParams.set('audience', SIGSTORE_AUDIENCE);
  let res: Response;
  try {
    res = await fetch(url, { headers: { Accept: 'application/json', Authorization: `Bearer ${bearer}` }, signal: signal ?? AbortSignal.timeout(30_000) });
  } catch (err) {
    throw new BosunError('SIGN_KEYLESS_TOKEN_FETCH_FAILED', `cannot reach the GitHub Actions token service at ${where}`, { cause: err });
  }
  const body = res.body ? await readAll(Readable.fromWeb(res.body as WebReadableStream), maxTokenBytes, 'GitHub Actions token response') : Buffer.alloc(0);
  if (!res.ok) throw new BosunError('SIGN_KEYLESS_TOKEN_FETCH_FAILED', `the GitHub Actions token service at ${where} answered ${res.status}`);
  try {
    return githubResponse.parse(JSON.parse(body.toString('utf8'))).value;
  } catch (err) {
    throw new BosunError('SIGN_KEYLESS_TOKEN_FETCH_FAILED', `the GitHub Actions token service at ${where} sent no token`, { cause: err instanceof z.ZodError ? err : undefined });
  }
}
