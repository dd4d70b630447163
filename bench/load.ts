// A small keep-alive HTTP load client on undici: a fixed number of connections, each sending
// requests back to back, until `maxRequests` or `seconds` runs out. Bodies are read fully.
import { Pool } from 'undici';

export interface LoadOptions {
  origin: string;
  path: string;
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  connections: number;
  seconds: number;
  maxRequests: number;
}

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  bytes: number;
  perSecond: number;
  gbPerSecond: number;
}

/** Runs one load measurement; non-2xx answers count as errors. */
export async function load(opts: LoadOptions): Promise<LoadResult> {
  const pool = new Pool(opts.origin, { connections: opts.connections, pipelining: 1, keepAliveTimeout: 30_000 });
  const deadline = performance.now() + opts.seconds * 1000;
  let issued = 0;
  let requests = 0;
  let errors = 0;
  let bytes = 0;
  const started = performance.now();
  const worker = async () => {
    while (issued < opts.maxRequests && performance.now() < deadline) {
      issued++;
      const res = await pool.request({ origin: opts.origin, path: opts.path, method: opts.method ?? 'GET', headers: opts.headers ?? {} });
      for await (const chunk of res.body) bytes += (chunk as Buffer).length;
      if (res.statusCode >= 300) errors++;
      requests++;
    }
  };
  await Promise.all(Array.from({ length: opts.connections }, worker));
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  return { requests, errors, seconds, bytes, perSecond: requests / seconds, gbPerSecond: bytes / seconds / 1e9 };
}
