import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import { z } from 'zod';
import { BosunError, redactUrl } from '../../errors.js';
import { readAll } from '../../oci/read-all.js';

/** The public-good Fulcio (cosign's default `--fulcio-url`). */
export const DEFAULT_FULCIO_URL = 'https://fulcio.sigstore.dev';

/** A certificate chain response is a few KiB. */
const maxResponseBytes = 1024 * 1024;
const maxChainLength = 10;

const chainSchema = z.object({ certificates: z.array(z.string().min(1)).min(1).max(maxChainLength) });
const responseSchema = z.object({
  signedCertificateEmbeddedSct: z.object({ chain: chainSchema }).optional(),
  signedCertificateDetachedSct: z.object({ chain: chainSchema }).optional(),
}).refine((r) => r.signedCertificateEmbeddedSct ?? r.signedCertificateDetachedSct, 'no certificate chain');

/** What Fulcio issued: the leaf certificate and the rest of its chain (PEM, leaf excluded). */
export interface IssuedCertificate {
  readonly leaf: string;
  readonly chain: readonly string[];
}

/** One Fulcio v2 `signingCert` request. */
export interface CertificateRequest {
  readonly fulcioUrl: string;
  readonly token: string;
  /** The ephemeral public key, PKIX PEM. */
  readonly publicKeyPem: string;
  /** The token's subject signed with the ephemeral key (Fulcio's proof of possession). */
  readonly proof: Buffer;
  readonly signal?: AbortSignal;
}

/**
 * Asks Fulcio (`POST /api/v2/signingCert`, the API @sigstore/sign and cosign use) for a
 * certificate binding the token's identity to the public key. The chain is returned whole so
 * cosign's `.sig` layout can carry it. Throws SIGN_KEYLESS_FULCIO_FAILED (network, HTTP status,
 * or a response that is not a certificate chain); the token is never put in a message.
 */
export async function requestCertificate(req: CertificateRequest): Promise<IssuedCertificate> {
  const url = `${req.fulcioUrl.replace(/\/+$/, '')}/api/v2/signingCert`;
  const body = {
    credentials: { oidcIdentityToken: req.token },
    publicKeyRequest: { publicKey: { algorithm: 'ECDSA', content: req.publicKeyPem }, proofOfPossession: req.proof.toString('base64') },
  };
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      signal: req.signal ?? AbortSignal.timeout(60_000),
    });
  } catch (err) {
    throw new BosunError('SIGN_KEYLESS_FULCIO_FAILED', `cannot reach Fulcio at ${redactUrl(req.fulcioUrl)}`, { cause: err });
  }
  const raw = res.body ? await readAll(Readable.fromWeb(res.body as ReadableStream), maxResponseBytes, 'Fulcio response') : Buffer.alloc(0);
  if (!res.ok) {
    // Printable text only, and never anything shaped like a JWT (an echoed token).
    const detail = raw.toString('utf8', 0, Math.min(raw.length, 200)).replace(/[^\x20-\x7e]+/g, ' ').replace(/[\w-]{8,}\.[\w-]{8,}\.[\w-]*/g, '<token>').trim();
    throw new BosunError('SIGN_KEYLESS_FULCIO_FAILED', `Fulcio at ${redactUrl(req.fulcioUrl)} answered ${res.status}${detail ? `: ${detail}` : ''}`);
  }
  let parsed: z.infer<typeof responseSchema>;
  try {
    parsed = responseSchema.parse(JSON.parse(raw.toString('utf8')));
  } catch (err) {
    throw new BosunError('SIGN_KEYLESS_FULCIO_FAILED', `Fulcio at ${redactUrl(req.fulcioUrl)} did not answer with a certificate chain`, { cause: err });
  }
  const certificates = (parsed.signedCertificateEmbeddedSct ?? parsed.signedCertificateDetachedSct)?.chain.certificates ?? [];
  const [leaf, ...chain] = certificates as [string, ...string[]];
  return { leaf, chain };
}
