import type { Readable } from 'node:stream';
import { z } from 'zod';
import { BosunError, type ErrorCode } from '../../errors.js';

// spec: distribution-spec, "Error Codes": { "errors": [{ "code", "message", "detail" }] }
const errorBodySchema = z.object({
  errors: z.array(z.object({ code: z.string().max(64), message: z.string().optional() }).loose()).max(100),
});

/** Distribution error codes and the bosun code each becomes. Unlisted codes fall back on the status. */
const distributionCodes: Record<string, ErrorCode> = {
  BLOB_UNKNOWN: 'OCI_BLOB_UNKNOWN',
  MANIFEST_BLOB_UNKNOWN: 'OCI_BLOB_UNKNOWN',
  MANIFEST_UNKNOWN: 'OCI_MANIFEST_UNKNOWN',
  NAME_UNKNOWN: 'OCI_MANIFEST_UNKNOWN',
  MANIFEST_INVALID: 'OCI_MANIFEST_INVALID',
  MANIFEST_UNVERIFIED: 'OCI_MANIFEST_INVALID',
  NAME_INVALID: 'OCI_REFERENCE_INVALID',
  TAG_INVALID: 'OCI_REFERENCE_INVALID',
  DIGEST_INVALID: 'OCI_DIGEST_MISMATCH',
  SIZE_INVALID: 'OCI_SIZE_MISMATCH',
  UNAUTHORIZED: 'REGISTRY_UNAUTHORIZED',
  DENIED: 'REGISTRY_DENIED',
  TOOMANYREQUESTS: 'REGISTRY_TOOMANYREQUESTS',
  UNAVAILABLE: 'REGISTRY_UNAVAILABLE',
  UNSUPPORTED: 'REGISTRY_PROTOCOL',
  BLOB_UPLOAD_INVALID: 'REGISTRY_PROTOCOL',
  BLOB_UPLOAD_UNKNOWN: 'REGISTRY_PROTOCOL',
};

/** Error bodies are small; a registry sending more is not telling us anything useful. */
export const maxErrorBodyBytes = 64 * 1024;

/** The bosun code for a status when the body names no distribution code. */
export function codeForStatus(status: number, notFound: ErrorCode = 'OCI_MANIFEST_UNKNOWN'): ErrorCode {
  if (status === 401) return 'REGISTRY_UNAUTHORIZED';
  if (status === 403) return 'REGISTRY_DENIED';
  if (status === 404) return notFound;
  if (status === 429) return 'REGISTRY_TOOMANYREQUESTS';
  if (status >= 500) return 'REGISTRY_UNAVAILABLE';
  return 'REGISTRY_PROTOCOL';
}

// Registry messages end up on a terminal: keep them short and printable.
function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 200);
}

/** Reads at most `max` bytes of a body, then discards the rest; never throws. */
export async function readBounded(body: Readable, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of body) {
      const buf = chunk as Buffer;
      chunks.push(buf.subarray(0, Math.max(0, max - total)));
      total += buf.length;
      if (total >= max) break;
    }
  } catch {
    // The body is only used for an error message; a broken one leaves the status to speak.
  } finally {
    discard(body);
  }
  return Buffer.concat(chunks);
}

/** Parses a distribution error body; undefined when it is not one. */
export function parseErrorBody(raw: Uint8Array): { code: string; message?: string } | undefined {
  try {
    const r = errorBodySchema.safeParse(JSON.parse(Buffer.from(raw).toString('utf8')));
    return r.success ? r.data.errors[0] : undefined;
  } catch {
    return undefined;
  }
}

export interface ResponseErrorContext {
  /** What was being done, e.g. `GET manifest localhost:5000/app:1` (no credentials). */
  what: string;
  status: number;
  body?: Readable;
  /** The code a bare 404 means here (a manifest or a blob). */
  notFound?: ErrorCode;
  /** How many attempts were made, when retries ran out. */
  attempts?: number;
}

/** Turns an unexpected registry answer into a BosunError, reading a bounded error body. */
export async function errorFromResponse(ctx: ResponseErrorContext): Promise<BosunError> {
  const raw = ctx.body ? await readBounded(ctx.body, maxErrorBodyBytes) : Buffer.alloc(0);
  const parsed = parseErrorBody(raw);
  const mapped = parsed ? distributionCodes[parsed.code] : undefined;
  const code = mapped ?? codeForStatus(ctx.status, ctx.notFound);
  const detail = parsed ? `${clean(parsed.code)}${parsed.message ? `: ${clean(parsed.message)}` : ''}` : `HTTP ${ctx.status}`;
  const tries = ctx.attempts && ctx.attempts > 1 ? ` (after ${ctx.attempts} attempts)` : '';
  return new BosunError(code, `${ctx.what}: registry answered ${ctx.status} ${detail}${tries}`);
}

/**
 * Throws a response body away without an unhandled error (undici reports an abandoned body as
 * an error); a small remainder is read so the keep-alive connection can be reused.
 */
export function discard(body: Readable): void {
  body.on('error', () => undefined);
  const dump = (body as { dump?: (o: { limit: number }) => Promise<void> }).dump;
  if (typeof dump === 'function') dump.call(body, { limit: 64 * 1024 }).catch(() => undefined);
  else body.destroy();
}
