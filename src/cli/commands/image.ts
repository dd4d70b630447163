import type { Command } from 'commander';
import { openImage } from '../../oci/open.js';
import { addImageOptions, imageOptions, type ImageFlags } from '../image-options.js';
import { addScanOptions, scanCommand, type ScanFlags } from '../scan-options.js';

/** `bosun image <ref>`: scan an image for vulnerabilities (registry, oci:DIR, docker-archive:FILE, --input). */
export function registerImage(program: Command): void {
  const cmd = program
    .command('image')
    .description('scan a container image for known vulnerabilities in its OS and language packages')
    .argument('[image]', 'reference, docker://REF, oci:DIR[:TAG], docker-archive:FILE[:REF]');
  addScanOptions(addImageOptions(cmd), false).action(async (arg: string | undefined, flags: ImageFlags & ScanFlags) => {
    await scanCommand(flags, async (signal) => {
      const { options, progress } = imageOptions(flags, 'scanning');
      const opened = await openImage(arg, { ...options, signal });
      return {
        target: { kind: 'image', image: opened.image, name: opened.name },
        close: async () => {
          progress.finish();
          await opened.close();
        },
      };
    });
  });
}
