import type { Command } from 'commander';
import { pino } from 'pino';
import { BosunError } from '../../errors.js';
import { defaultRegistryConfig, loadRegistryConfig, type RegistryConfig } from '../../registry/config.js';
import { serveRegistry } from '../../registry/index.js';

interface ServeFlags {
  config?: string;
  addr?: string;
  data?: string;
  staleUploads?: string;
  logLevel?: string;
  adminPasswordFile?: string;
  tlsCert?: string;
  tlsKey?: string;
}

/** The config file (or the defaults) with every flag given on the command line applied over it. */
async function effectiveConfig(flags: ServeFlags): Promise<RegistryConfig> {
  const config = flags.config ? await loadRegistryConfig(flags.config) : defaultRegistryConfig();
  if (flags.addr !== undefined) config.addr = flags.addr;
  if (flags.data !== undefined) config.data = flags.data;
  if (flags.logLevel !== undefined) config.logLevel = flags.logLevel as RegistryConfig['logLevel'];
  if (flags.adminPasswordFile !== undefined) config.auth.adminPasswordFile = flags.adminPasswordFile;
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) {
    throw new BosunError('INPUT_INVALID', '--tls-cert and --tls-key go together: pass both, or neither');
  }
  if (flags.tlsCert !== undefined && flags.tlsKey !== undefined) {
    config.tls = { pollSeconds: 10, ...config.tls, cert: flags.tlsCert, key: flags.tlsKey };
  }
  if (flags.staleUploads !== undefined) {
    const hours = Number(flags.staleUploads);
    if (!Number.isFinite(hours) || hours < 0) throw new BosunError('INPUT_INVALID', `invalid --stale-uploads "${flags.staleUploads}": want hours >= 0`);
    config.staleUploadHours = hours;
  }
  return config;
}

/** `bosun registry serve`: flags override registry.yaml, which overrides the defaults. */
export function registerRegistryServe(registry: Command): void {
  registry
    .command('serve')
    .description('serve the OCI distribution API with token and Basic authentication (docs/registry.md)')
    .option('--config <file>', 'registry.yaml (see docs/registry.md); flags override it')
    .option('--addr <host:port>', 'address to listen on (default 127.0.0.1:5000)')
    .option('--data <dir>', 'data directory: blobs, metadata, uploads (default ./registry-data)')
    .option('--stale-uploads <hours>', 'remove upload sessions untouched this long, on start (default 24)')
    .option('--log-level <level>', 'pino log level (default info)')
    .option('--admin-password-file <file>', 'first start: create user admin with the password in this file (a random one is written, mode 0600, when it does not exist)')
    .option('--tls-cert <pem>', 'serve HTTPS with this certificate (chain); reloaded when the file changes')
    .option('--tls-key <pem>', 'the private key of --tls-cert')
    .action(async (flags: ServeFlags) => {
      const config = await effectiveConfig(flags);
      const logger = pino({ level: config.logLevel }, pino.destination(2));
      const served = await serveRegistry({ config, addr: config.addr, dataDir: config.data, staleUploadMs: config.staleUploadHours * 3600 * 1000, logger });
      process.stderr.write(`bosun: registry listening on ${served.url} (data: ${config.data})\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await served.close();
    });
}
