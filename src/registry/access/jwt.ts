import { createSign, verify } from 'node:crypto';
import { BosunError } from '../../errors.js';
import type { SigningKey } from './signing-key.js';

/** Longest token accepted; anything longer is refused before decoding. */
export const maxTokenLength = 8192;

const compact = /^([A-Za-z0-9_-]{2,1024})\.([A-Za-z0-9_-]{2,8000})\.([A-Za-z0-9_-]{86})$/;
// The only header parameters a token of ours carries. `jwk`, `jku`, `x5c`, `x5u` and `crit`
// are refused outright: a key named by the token itself must never be trusted
// (CVE-2025-24976 in distribution accepted an embedded jwk).
const allowedHeader = new Set(['alg', 'typ', 'kid']);

function invalid(why: string): BosunError {
  return new BosunError('REGISTRY_AUTH_TOKEN_INVALID', `bearer token refused: ${why}`);
}

function b64json(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Signs `payload` as a compact JWS: ES256, `kid` of the key, raw r||s signature (RFC 7518 §3.4). */
export function signJwt(payload: object, key: SigningKey): string {
  const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid: key.kid })).toString('base64url');
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const signer = createSign('sha256');
  signer.update(`${header}.${body}`);
  const sig = signer.sign({ key: key.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  return `${header}.${body}.${sig}`;
}

function checkHeader(raw: string, key: SigningKey): void {
  const header = b64json(raw);
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw invalid('header is not a JSON object');
  const h = header as Record<string, unknown>;
  for (const name of Object.keys(h)) if (!allowedHeader.has(name)) throw invalid(`header parameter "${name.slice(0, 20)}" is not accepted`);
  if (h.alg !== 'ES256') throw invalid('alg must be ES256');
  if (h.typ !== undefined && h.typ !== 'JWT') throw invalid('typ must be JWT');
  if (h.kid !== undefined && h.kid !== key.kid) throw invalid('signed by another key');
}

/**
 * Verifies a compact ES256 JWS against `key` alone and returns its parsed payload (claims
 * are the caller's to check). Refuses `alg` other than ES256 (so `none` and HS256 with the
 * public key as secret), any key-bearing header, a foreign `kid`, a signature that is not 64
 * raw bytes, and a bad signature. Throws REGISTRY_AUTH_TOKEN_INVALID.
 */
export function verifyJwt(token: string, key: SigningKey): unknown {
  if (token.length > maxTokenLength) throw invalid('too long');
  const m = compact.exec(token);
  if (!m) throw invalid('not a signed compact JWT');
  checkHeader(m[1]!, key);
  const sig = Buffer.from(m[3]!, 'base64url');
  if (sig.length !== 64) throw invalid('signature is not a P-256 signature');
  const ok = verify('sha256', Buffer.from(`${m[1]}.${m[2]}`), { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, sig);
  if (!ok) throw invalid('bad signature');
  const payload = b64json(m[2]!);
  if (typeof payload !== 'object' || payload === null) throw invalid('payload is not a JSON object');
  return payload;
}
