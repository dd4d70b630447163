// Helpers for the pull-through cache tests: a counting in-process bosun registry as the
// upstream, and a bosun registry with a `proxy:` section in front of it, both on loopback.
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { buildRegistryApp } from '../../src/registry/app.js';
import { MemoryBlobStore } from '../../src/registry/blob-store/memory.js';
import { parseRegistryConfig } from '../../src/registry/config.js';
import type { RegistryContext } from '../../src/registry/context.js';
import { RegistryEvents } from '../../src/registry/events.js';
import { SqliteMetaStore } from '../../src/registry/meta-store/sqlite.js';
import { proxyExtension } from '../../src/registry/proxy/index.js';
import { UploadSpool } from '../../src/registry/upload-spool.js';
import { makeApp } from './helpers.js';
import { tempDir } from '../helpers/temp-dir.js';

export interface CountingUpstream {
  app: FastifyInstance;
  /** `127.0.0.1:PORT` */
  host: string;
  /** Requests seen since the last `reset()` whose method and path (as the client wrote it) match. */
  count(method: string, pathPart: string): number;
  reset(): void;
  stop(): Promise<void>;
}

/**
 * A bosun registry on a free loopback port that records every request; blob GETs are held
 * for `blobDelayMs` first, so concurrent pulls really overlap.
 */
export async function startCountingUpstream(opts: { blobDelayMs?: number } = {}): Promise<CountingUpstream> {
  const seen: Array<{ method: string; url: string }> = [];
  const app = await makeApp({
    extensions: [
      (a) => {
        a.addHook('onRequest', async (request) => {
          seen.push({ method: request.method, url: request.originalUrl });
          if (opts.blobDelayMs && request.method === 'GET' && request.originalUrl.includes('/blobs/sha')) await sleep(opts.blobDelayMs);
        });
      },
    ],
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  let stopped = false;
  return {
    app,
    host: new URL(url).host,
    count: (method, pathPart) => seen.filter((s) => s.method === method && s.url.includes(pathPart)).length,
    reset: () => {
      seen.length = 0;
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await app.close();
      await app.meta.close();
    },
  };
}

export interface ProxyRegistry {
  app: FastifyInstance;
  context: RegistryContext;
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Every pull event emitted. */
  pulls: Array<{ repo: string; digest: string; tag?: string }>;
  close(): Promise<void>;
}

/** A bosun registry (memory blobs, SQLite in memory) on a free loopback port with the given `proxy:` entries. */
export async function startProxy(proxy: unknown[]): Promise<ProxyRegistry> {
  const events = new RegistryEvents();
  const pulls: ProxyRegistry['pulls'] = [];
  events.on((e) => {
    if (e.type === 'pull') pulls.push({ repo: e.repo, digest: e.digest, ...(e.tag ? { tag: e.tag } : {}) });
  });
  const spool = await new UploadSpool(await tempDir('spool')).open();
  const meta = new SqliteMetaStore(':memory:');
  const extensions = [proxyExtension(parseRegistryConfig({ proxy }).proxy)];
  const { app, context } = await buildRegistryApp({ blobs: new MemoryBlobStore(), meta, spool, events, extensions });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    app, context, url, pulls,
    close: async () => {
      await app.close();
      await meta.close();
    },
  };
}

/** The first error code of a registry error body. */
export async function wireCode(res: Response): Promise<string> {
  return ((await res.json()) as { errors: Array<{ code: string }> }).errors[0]!.code;
}
