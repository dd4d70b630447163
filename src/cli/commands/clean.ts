import type { Command } from 'commander';
import { BlobCache, defaultCacheDir } from '../../oci/blob-cache.js';
import { LayerCache } from '../../oci/layer-cache.js';

/** `bosun clean`: empties the local blob cache. */
export function registerClean(program: Command): void {
  program
    .command('clean')
    .description('delete the local blob cache and layer analysis cache (safe while other bosun processes run)')
    .option('--cache-dir <dir>', 'cache directory', defaultCacheDir())
    .action(async (opts: { cacheDir: string }) => {
      await new BlobCache(opts.cacheDir).clean();
      await new LayerCache(opts.cacheDir).clean();
      process.stderr.write(`removed cached blobs and layer records in ${opts.cacheDir}\n`);
    });
}
