import { BosunError, codes, type ErrorCode } from '../errors.js';

/** The body every error answer carries. spec: distribution-spec spec.md, "Error Codes". */
export interface WireErrorBody {
  errors: Array<{ code: string; message: string; detail: unknown }>;
}

export interface WireError {
  status: number;
  body: WireErrorBody;
}

// BosunError codes raised below the routes (oci parsing, limits, digests) and the wire code
// and status they become; REGISTRY_SERVE_* codes map onto their own suffix.
const foreign: Partial<Record<ErrorCode, { code: string; status: number }>> = {
  OCI_DIGEST_INVALID: { code: 'DIGEST_INVALID', status: 400 },
  OCI_DIGEST_MISMATCH: { code: 'DIGEST_INVALID', status: 400 },
  OCI_SIZE_MISMATCH: { code: 'SIZE_INVALID', status: 400 },
  OCI_MANIFEST_INVALID: { code: 'MANIFEST_INVALID', status: 400 },
  OCI_MANIFEST_UNSUPPORTED: { code: 'MANIFEST_INVALID', status: 400 },
  // The registry reads only manifests into memory, so a limit hit is always an oversized manifest.
  LIMIT_EXCEEDED: { code: 'MANIFEST_INVALID', status: 413 },
  ABORTED: { code: 'UNKNOWN', status: 400 },
  // The pull-through cache (proxy/): the upstream's failure, as the client should see it.
  REGISTRY_PROXY_UPSTREAM_UNAVAILABLE: { code: 'UNAVAILABLE', status: 503 },
  REGISTRY_PROXY_UPSTREAM_TOOMANYREQUESTS: { code: 'TOOMANYREQUESTS', status: 429 },
  REGISTRY_PROXY_UPSTREAM_INVALID: { code: 'UNKNOWN', status: 502 },
  // access control (src/registry/access): the spec's UNAUTHORIZED and DENIED
  REGISTRY_AUTH_UNAUTHORIZED: { code: 'UNAUTHORIZED', status: 401 },
  REGISTRY_AUTH_TOKEN_INVALID: { code: 'UNAUTHORIZED', status: 401 },
  REGISTRY_AUTH_DENIED: { code: 'DENIED', status: 403 },
  REGISTRY_AUTH_SCOPE_INVALID: { code: 'UNSUPPORTED', status: 400 },
  REGISTRY_TAG_IMMUTABLE: { code: 'DENIED', status: 403 },
  REGISTRY_RATE_LIMITED: { code: 'TOOMANYREQUESTS', status: 429 },
  REGISTRY_SCAN_PULL_BLOCKED: { code: 'DENIED', status: 403 },
};

const prefix = 'REGISTRY_SERVE_';

/**
 * Turns any thrown value into the status and `{ errors: [{ code, message, detail }] }` body
 * the registry answers. Unknown errors become 500 UNKNOWN with no detail, so internals never
 * leak; the caller logs them.
 */
export function toWireError(err: unknown): WireError {
  if (err instanceof BosunError) {
    const mapped = foreign[err.code];
    if (mapped) return wire(mapped.status, mapped.code, err.message);
    if (err.code.startsWith(prefix)) {
      const status = (codes[err.code] as { status?: number }).status ?? 500;
      const code = err.code.slice(prefix.length);
      return wire(status, code === 'STORE_FAILED' ? 'UNKNOWN' : code, err.message);
    }
  }
  return wire(500, 'UNKNOWN', 'internal server error');
}

function wire(status: number, code: string, message: string): WireError {
  // Server-side failures may name paths or driver details: those stay in the log.
  const shown = status >= 500 ? 'internal server error' : message;
  return { status, body: { errors: [{ code, message: shown, detail: null }] } };
}
