import type { Command } from 'commander';
import { copy } from '../../oci/copy.js';
import { addImageOptions, imageOptions, type ImageFlags } from '../image-options.js';

/** `bosun copy SRC DST`: skopeo-style copy between registries, OCI layouts and docker-archives. */
export function registerCopy(program: Command): void {
  addImageOptions(
    program
      .command('copy')
      .description('copy an image between a registry, an OCI layout (oci:DIR[:TAG]) and a docker-archive (docker-archive:FILE[:REPO:TAG])')
      .argument('[source]', 'image to read (or use --input)')
      .argument('<destination>', 'where to write it'),
  ).action(async (src: string | undefined, dest: string, flags: ImageFlags) => {
    const { options, progress } = imageOptions(flags, 'copying');
    try {
      const { written } = await copy(src, dest, options);
      process.stdout.write(`${written}\n`);
    } finally {
      progress.finish();
    }
  });
}
