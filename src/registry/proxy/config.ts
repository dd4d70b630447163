import { z } from 'zod';
import { maxNameLength } from '../names.js';

// A repository-name prefix: one or more name components (spec grammar), so `dockerhub` or
// `mirror/ghcr`; the proxied repository is what follows `<prefix>/`.
const prefixPattern = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const durationPattern = /^(\d{1,9})(ms|s|m|h|d)$/;
const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Parses `500ms`, `30s`, `10m`, `2h`, `1d` (or a bare number of seconds) into milliseconds. */
export function parseDuration(v: string | number): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v * 1000 : undefined;
  const m = durationPattern.exec(v.trim());
  return m ? Number(m[1]) * unitMs[m[2] as keyof typeof unitMs] : undefined;
}

const duration = (fallback: string) =>
  z
    .union([z.string(), z.number()])
    .default(fallback)
    .transform((v, ctx) => {
      const ms = parseDuration(v);
      if (ms === undefined) ctx.addIssue({ code: 'custom', message: `invalid duration "${String(v)}": want e.g. 30s, 10m, 2h` });
      return ms ?? 0;
    });

function isUpstreamUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.username === '' && u.password === '' && (u.pathname === '/' || u.pathname === '') && u.search === '' && u.hash === '';
  } catch {
    return false;
  }
}

const entrySchema = z
  .object({
    /** Repositories `<prefix>/<x>` are served from the upstream's `<x>`. */
    prefix: z.string().max(maxNameLength - 2).regex(prefixPattern, 'must be repository name components, e.g. dockerhub or mirror/ghcr'),
    /** The upstream registry's base URL, `https://host[:port]` (`http://` needs `insecure`). */
    upstream: z.string().refine(isUpstreamUrl, 'must be http(s)://host[:port] with no path, credentials or query'),
    /** Upstream credentials; without them, the docker config (or anonymous) is used. */
    username: z.string().min(1).optional(),
    /** A file holding the upstream password or token (trailing newline ignored). */
    passwordFile: z.string().min(1).optional(),
    /** A cached tag is re-checked upstream only once it is older than this. */
    tagTtl: duration('10m'),
    /** Allow plain HTTP and skip TLS verification for the upstream. */
    insecure: z.boolean().default(false),
    /** PEM CA certificates to trust for the upstream, added to Node's roots. */
    caFile: z.string().min(1).optional(),
    /** How long to wait for the upstream's response headers before serving the cached copy. */
    timeout: duration('30s'),
    /** Attempts per upstream request (retries on 429, 5xx, dropped connections). */
    attempts: z.number().int().min(1).max(10).default(2),
    /** Upstream requests in flight at once, for this prefix. */
    maxConcurrent: z.number().int().min(1).max(1024).default(32),
    /** Largest blob fetched from upstream, in bytes. */
    maxBlobBytes: z.number().int().positive().default(16 * 1024 * 1024 * 1024),
  })
  .strict()
  .refine((e) => (e.username === undefined) === (e.passwordFile === undefined), { message: 'username and passwordFile go together', path: ['passwordFile'] })
  .refine((e) => e.insecure || new URL(e.upstream).protocol === 'https:', { message: 'an http:// upstream needs insecure: true', path: ['insecure'] });

export type ProxyEntry = z.infer<typeof entrySchema>;

function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

/** registry.yaml `proxy:`, a list of upstreams; prefixes may not nest or repeat. */
export const proxyConfigSchema = z
  .array(entrySchema)
  .max(64)
  .default([])
  .superRefine((entries, ctx) => {
    entries.forEach((e, i) => {
      const clash = entries.findIndex((o, j) => j < i && overlaps(o.prefix, e.prefix));
      if (clash >= 0) ctx.addIssue({ code: 'custom', path: [i, 'prefix'], message: `prefix "${e.prefix}" overlaps "${entries[clash]!.prefix}"` });
    });
  });

export type ProxyConfig = z.infer<typeof proxyConfigSchema>;
