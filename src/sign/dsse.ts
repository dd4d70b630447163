import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { BosunError } from '../errors.js';
import { signData, verifyData } from './algorithms.js';
import { signLimits } from './limits.js';

/** A DSSE envelope with the payload decoded. spec: secure-systems-lab/dsse envelope.md */
export interface Envelope {
  readonly payloadType: string;
  readonly payload: Buffer;
  readonly signatures: ReadonlyArray<{ readonly keyid?: string; readonly sig: Buffer }>;
}

/**
 * DSSE v1 Pre-Authentication Encoding:
 * `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths as ASCII decimal byte counts.
 * spec: secure-systems-lab/dsse protocol.md
 */
export function pae(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  const head = Buffer.from(`DSSEv1 ${type.length} ${payloadType} ${payload.length} `, 'utf8');
  return Buffer.concat([head, payload]);
}

const b64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/);
const envelopeJson = z.object({
  payloadType: z.string().min(1).max(256),
  payload: b64,
  signatures: z.array(z.object({ keyid: z.string().max(1024).optional(), sig: b64.min(1) })).min(1).max(signLimits.entries),
});

/** Parses the JSON form of an envelope (base64 or base64url payload/sigs). Throws SIGN_DSSE_INVALID / LIMIT_EXCEEDED. */
export function parseEnvelope(raw: Uint8Array, what = 'DSSE envelope'): Envelope {
  if (raw.length > (signLimits.dssePayloadBytes * 4) / 3 + 64 * 1024) throw new BosunError('LIMIT_EXCEEDED', `${what} is over the size limit`);
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch (err) {
    throw new BosunError('SIGN_DSSE_INVALID', `${what} is not JSON`, { cause: err });
  }
  const parsed = envelopeJson.safeParse(json);
  if (!parsed.success) throw new BosunError('SIGN_DSSE_INVALID', `${what} is not a DSSE envelope`, { cause: parsed.error });
  const e = parsed.data;
  return {
    payloadType: e.payloadType,
    payload: decode64(e.payload),
    signatures: e.signatures.map((s) => ({ ...(s.keyid === undefined ? {} : { keyid: s.keyid }), sig: decode64(s.sig) })),
  };
}

function decode64(s: string): Buffer {
  return Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/** The JSON form cosign and in-toto write (standard base64). */
export function envelopeToJson(env: Envelope): Record<string, unknown> {
  return {
    payloadType: env.payloadType,
    payload: env.payload.toString('base64'),
    signatures: env.signatures.map((s) => ({ keyid: s.keyid ?? '', sig: s.sig.toString('base64') })),
  };
}

/** Signs `payload` as a one-signature envelope with `key` over PAE(payloadType, payload). */
export function signEnvelope(payloadType: string, payload: Uint8Array, key: KeyObject, keyid?: string): Envelope {
  const sig = signData(key, pae(payloadType, payload));
  return { payloadType, payload: Buffer.from(payload), signatures: [{ ...(keyid === undefined ? {} : { keyid }), sig }] };
}

/**
 * Verifies that at least one signature in `env` was made by one of `keys` over the PAE.
 * Returns the index of the first key that verified. Throws SIGN_DSSE_INVALID when none does.
 */
export function verifyEnvelope(env: Envelope, keys: readonly KeyObject[]): { keyIndex: number } {
  if (env.payload.length > signLimits.dssePayloadBytes) throw new BosunError('LIMIT_EXCEEDED', 'DSSE payload is over the size limit');
  const message = pae(env.payloadType, env.payload);
  for (const sig of env.signatures.slice(0, signLimits.entries)) {
    const keyIndex = keys.findIndex((k) => verifyData(k, message, sig.sig));
    if (keyIndex >= 0) return { keyIndex };
  }
  throw new BosunError('SIGN_DSSE_INVALID', `no DSSE signature verifies with the ${keys.length} given key(s)`);
}
