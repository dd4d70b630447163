import type { Server as TlsServer } from 'node:tls';
import type { RegistryExtension } from '../app.js';
import type { TlsPair } from './pair.js';
import { CertificateWatcher } from './watcher.js';

export interface TlsReloadOptions {
  certFile: string;
  keyFile: string;
  /** The pair the server was started with (see `loadTlsPair`). */
  current: TlsPair;
  /** Re-read the files at least this often (ms), whatever fs.watch reports. */
  pollMs: number;
}

/**
 * Certificate reloading as a registry extension, for an app built with `https`: once the app
 * is ready, the certificate and key files are watched and a changed valid pair replaces the
 * server's secure context (`setSecureContext`) for new connections, without closing the
 * listener or open connections. A bad new pair is logged (warn) and the old one kept.
 */
export function tlsReload(opts: TlsReloadOptions): RegistryExtension {
  return (app) => {
    const watcher = new CertificateWatcher({
      ...opts,
      apply: (pair) => (app.server as unknown as TlsServer).setSecureContext({ cert: pair.cert, key: pair.key }),
      onReload: () => app.log.info({ cert: opts.certFile }, 'registry TLS certificate reloaded'),
      onRejected: (err) => app.log.warn({ err, cert: opts.certFile, key: opts.keyFile }, 'registry TLS certificate not reloaded; the previous one stays in use'),
    });
    app.addHook('onReady', async () => watcher.start());
    app.addHook('onClose', async () => watcher.stop());
  };
}
