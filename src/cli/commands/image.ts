import type { Command } from 'commander';
import { LayerCache } from '../../oci/layer-cache.js';
import { openImage } from '../../oci/open.js';
import { addImageOptions, imageOptions, type ImageFlags } from '../image-options.js';
import { addScanOptions, scanCommand, type ScanFlags } from '../scan-options.js';

/** `bosun image <ref>`: scan an image for vulnerabilities (registry, oci:DIR, docker-archive:FILE, --input). */
export function registerImage(program: Command): void {
  const cmd = program
    .command('image')
    .description('scan a container image for known vulnerabilities in its OS and language packages')
    .argument('[image]', 'reference, docker://REF, oci:DIR[:TAG], docker-archive:FILE[:REF]');
  addScanOptions(addImageOptions(cmd), false)
    .option('--no-layer-cache', 'neither read nor write the per-layer analysis cache')
    .action(async (arg: string | undefined, flags: ImageFlags & ScanFlags & { layerCache: boolean }) => {
    await scanCommand(flags, async (signal) => {
      const { options, progress } = imageOptions(flags, 'scanning');
      const opened = await openImage(arg, { ...options, signal });
      return {
        target: { kind: 'image', image: opened.image, name: opened.name, ...(flags.layerCache ? { layerCache: new LayerCache(flags.cacheDir) } : {}) },
        close: async () => {
          progress.finish();
          await opened.close();
        },
      };
    });
  });
}
