import type { Command } from 'commander';
import { BlobCache, defaultCacheDir } from '../oci/blob-cache.js';
import type { OpenImageOptions } from '../oci/open.js';
import type { ImageCore } from '../oci/types.js';
import { Progress } from './progress.js';
import { pipeThrough } from '../oci/pipe-through.js';

/** The flags every image-taking command shares. */
export interface ImageFlags {
  input?: string;
  platform?: string;
  insecure?: boolean;
  caFile?: string;
  cacheDir: string;
  cache: boolean;
  quiet?: boolean;
}

/** Adds the shared image flags to a command. */
export function addImageOptions(cmd: Command): Command {
  return cmd
    .option('--input <file>', 'read a docker-archive or OCI archive tar (or an OCI layout dir); "-" reads stdin')
    .option('--platform <os/arch[/variant]>', 'platform to pick from a multi-platform index (default linux/amd64, or the only one)')
    .option('--insecure', 'allow plain HTTP and unverified TLS for the registry')
    .option('--ca-file <pem>', 'extra CA certificates to trust for the registry')
    .option('--cache-dir <dir>', 'blob cache directory', defaultCacheDir())
    .option('--no-cache', 'do not read or write the blob cache')
    .option('-q, --quiet', 'no progress output');
}

/** Maps the shared flags onto `openImage` options, with a progress bar on a TTY. */
export function imageOptions(flags: ImageFlags, label: string): { options: OpenImageOptions; progress: Progress } {
  const progress = new Progress(label, process.stderr, { quiet: flags.quiet });
  const track = (core: ImageCore): ImageCore => ({
    ...core,
    openBlob: async (desc, signal) => pipeThrough(await core.openBlob(desc, signal), progress.track(desc.size)),
  });
  const options: OpenImageOptions = {
    ...(flags.input !== undefined ? { input: flags.input } : {}),
    ...(flags.platform ? { platform: flags.platform } : {}),
    ...(flags.insecure ? { insecure: true } : {}),
    ...(flags.caFile ? { caFile: flags.caFile } : {}),
    ...(flags.cache ? { cache: new BlobCache(flags.cacheDir) } : {}),
    ...(progress.enabled ? { track } : {}),
    stdin: () => process.stdin,
  };
  return { options, progress };
}
