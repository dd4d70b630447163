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

/** The config and layers an image manifest names (none for an index or anything unreadable). */
function plannedBlobs(raw: Uint8Array): Array<{ digest: string; size: number }> {
  try {
    const doc = JSON.parse(Buffer.from(raw).toString('utf8')) as { config?: unknown; layers?: unknown };
    const blobs = [doc.config, ...(Array.isArray(doc.layers) ? doc.layers : [])];
    return blobs.flatMap((b) => {
      const d = b as { digest?: unknown; size?: unknown } | undefined;
      return typeof d?.digest === 'string' && typeof d.size === 'number' && d.size >= 0 ? [{ digest: d.digest, size: d.size }] : [];
    });
  } catch {
    return [];
  }
}

/** Maps the shared flags onto `openImage` options, with a progress bar on a TTY. */
export function imageOptions(flags: ImageFlags, label: string): { options: OpenImageOptions; progress: Progress } {
  const progress = new Progress(label, process.stderr, { quiet: flags.quiet });
  const track = (core: ImageCore): ImageCore => ({
    ...core,
    rawManifest: async () => {
      const raw = await core.rawManifest();
      progress.expect(plannedBlobs(raw));
      return raw;
    },
    openBlob: async (desc, signal) => pipeThrough(await core.openBlob(desc, signal), progress.track(desc.size, desc.digest)),
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
