// A loopback HTTP proxy in front of a test registry that counts requests and can make a tag
// answer differently after its first lookup (a registry that lies on the second call).
//
//   const proxy = await startRegistryProxy(reg.url);
//   proxy.swapAfterFirst('/v2/app/manifests/v1', '/v2/app/manifests/evil');
//   proxy.count((m, p) => p.startsWith('/v2/app/manifests/'));
import { createServer, request } from 'node:http';

export interface RegistryProxy {
  /** `127.0.0.1:PORT`, for image references. */
  readonly host: string;
  /** Requests seen so far matching `filter`. */
  count(filter?: (method: string, path: string) => boolean): number;
  reset(): void;
  /** After `path` has been answered once, later requests for it are served from `to`. */
  swapAfterFirst(path: string, to: string): void;
  close(): Promise<void>;
}

export async function startRegistryProxy(targetUrl: string): Promise<RegistryProxy> {
  const target = new URL(targetUrl);
  const seen: Array<{ method: string; path: string }> = [];
  const swaps = new Map<string, { to: string; served: number }>();
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    seen.push({ method: req.method ?? '', path });
    let url = req.url ?? '/';
    const swap = swaps.get(path);
    if (swap && swap.served++ > 0) url = swap.to;
    const up = request({ host: target.hostname, port: target.port, method: req.method, path: url, headers: { ...req.headers, host: target.host } }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  const port = (server.address() as { port: number }).port;
  return {
    host: `127.0.0.1:${port}`,
    count: (filter) => seen.filter((s) => !filter || filter(s.method, s.path)).length,
    reset: () => { seen.length = 0; },
    swapAfterFirst: (path, to) => { swaps.set(path, { to, served: 0 }); },
    close: () => new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()); }),
  };
}
