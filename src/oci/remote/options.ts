import type { Logger } from 'pino';
import { bosunVersion } from '../../version.js';
import type { ImageCore, Platform } from '../types.js';

/** Explicit credentials for one registry. Never logged and never put in messages. */
export interface Credentials {
  username?: string;
  password?: string;
  /** An OAuth2 refresh token (`identitytoken` in docker's config.json). */
  identityToken?: string;
}

/** Retry policy for 429, 5xx and dropped connections. Delays are in milliseconds. */
export interface RetryOptions {
  /** Total attempts per request, the first one included (default 4). */
  attempts?: number;
  /** First back-off delay; doubles each attempt, with jitter (default 250). */
  baseDelayMs?: number;
  /** Cap on a computed back-off delay (default 8000). */
  maxDelayMs?: number;
  /** Cap on a server's `Retry-After` (default 30000); a longer one is shortened to this. */
  maxRetryAfterMs?: number;
}

/** Options every `remote.*` call takes. */
export interface RemoteOptions {
  /** Credentials for the reference's registry; otherwise env, then docker config (docs/registry-client.md). */
  auth?: Credentials;
  /**
   * Allow plain HTTP and skip TLS verification for the reference's registry (like skopeo's
   * `--tls-verify=false`). Off by default, for loopback hosts too.
   */
  insecure?: boolean;
  /** A PEM file with extra CA certificates to trust (added to Node's bundled roots). */
  caFile?: string;
  /** The platform `image()` selects from an index (default linux/amd64, or the only one). */
  platform?: Platform | string;
  signal?: AbortSignal;
  /** Sent as `User-Agent` (default `bosun/<version>`). */
  userAgent?: string;
  retry?: RetryOptions;
  /** Receives debug lines (retries, redirects, auth flow), never secrets. */
  logger?: Logger;
  /**
   * The environment read for BOSUN_USERNAME / BOSUN_PASSWORD, DOCKER_CONFIG, HOME and PATH
   * (credential helpers); default `process.env`. For embedding and tests.
   */
  env?: Record<string, string | undefined>;
  /**
   * Wraps each pulled image's core before `fromCore` derives the `Image` (a blob cache, metrics).
   * The wrapper must keep the core's contract; verification still happens above it.
   */
  decorate?: (core: ImageCore, name: string) => ImageCore;
}

export const defaultUserAgent = `bosun/${bosunVersion}`;
