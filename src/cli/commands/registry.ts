import type { Command } from 'commander';
import { pino } from 'pino';
import { BosunError } from '../../errors.js';
import { serveRegistry } from '../../registry/index.js';

interface ServeFlags {
  addr: string;
  data: string;
  staleUploads: string;
  logLevel: string;
}

/** `bosun registry serve`: an OCI distribution registry on a local data directory. */
export function registerRegistry(program: Command): void {
  const registry = program.command('registry').description('run an OCI distribution-spec registry');
  registry
    .command('serve')
    .description('serve the OCI distribution API (NO AUTHENTICATION yet: keep it on loopback)')
    .option('--addr <host:port>', 'address to listen on', '127.0.0.1:5000')
    .option('--data <dir>', 'data directory (blobs, metadata, uploads)', './registry-data')
    .option('--stale-uploads <hours>', 'remove upload sessions untouched this long, on start', '24')
    .option('--log-level <level>', 'pino log level', 'info')
    .action(async (flags: ServeFlags) => {
      const hours = Number(flags.staleUploads);
      if (!Number.isFinite(hours) || hours < 0) throw new BosunError('INPUT_INVALID', `invalid --stale-uploads "${flags.staleUploads}": want hours >= 0`);
      process.stderr.write('bosun: WARNING: the registry has NO AUTHENTICATION yet; anyone who reaches it can push and delete. Do not expose it beyond loopback.\n');
      const logger = pino({ level: flags.logLevel }, pino.destination(2));
      const served = await serveRegistry({ addr: flags.addr, dataDir: flags.data, staleUploadMs: hours * 3600 * 1000, logger });
      process.stderr.write(`bosun: registry listening on ${served.url} (data: ${flags.data})\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await served.close();
    });
}
