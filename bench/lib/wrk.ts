// GET load from wrk (Debian's `wrk`), a C client: at ~1 GB/s of blob bodies or ~10k small
// answers a second, a Node client on the same 2 cores spends as much CPU as the server it
// measures, and the slower server's figure becomes the client's.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import type { LoadOptions, LoadResult } from '../load.js';

export const wrkPath = '/usr/bin/wrk';

export const hasWrk = (): boolean => existsSync(wrkPath);

/** Parses wrk's summary: "N requests in 5.01s, 4.09GB read", plus its error lines. */
export function parseWrk(out: string): { requests: number; seconds: number; errors: number } {
  const m = /(\d+) requests in ([\d.]+)(ms|s|m),/.exec(out);
  if (!m) throw new Error(`unexpected wrk output:\n${out}`);
  const scale = { ms: 1e-3, s: 1, m: 60 }[m[3] as 'ms' | 's' | 'm'];
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  return { requests: Number(m[1]), seconds: Number(m[2]) * scale, errors: non2xx + socketErrors };
}

/** One GET load run with wrk: 2 threads, `connections` keep-alive connections, `seconds` long. */
export async function wrkLoad(opts: LoadOptions): Promise<LoadResult> {
  const args = ['-t2', `-c${opts.connections}`, `-d${opts.seconds}s`, '--timeout', '10s'];
  for (const [k, v] of Object.entries(opts.headers ?? {})) args.push('-H', `${k}: ${v}`);
  args.push(`${opts.origin}${opts.path}`);
  const { stdout } = await promisify(execFile)(wrkPath, args);
  const r = parseWrk(stdout);
  return { requests: r.requests, errors: r.errors, seconds: r.seconds, bytes: 0, perSecond: r.requests / r.seconds, gbPerSecond: 0 };
}
