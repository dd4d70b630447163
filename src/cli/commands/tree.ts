import type { Command } from 'commander';
import { BosunError } from '../../errors.js';
import { formatTree, imageTree } from '../../sign/oci/index.js';
import { addRegistryOptions, registryOptions, type RegistryFlags } from '../registry-flags.js';

/** `bosun tree IMAGE`: what is attached to an image (unverified). */
export function registerTree(program: Command): void {
  addRegistryOptions(program
    .command('tree')
    .description('list what is attached to an image: cosign .sig/.att/.sbom tags and OCI 1.1 referrers by artifactType (nothing is verified)')
    .argument('<image>', 'the image (tag or digest)')
    .option('-o, --output <format>', 'text or json', 'text'))
    .action(async (image: string, flags: RegistryFlags & { output: string }) => {
      if (flags.output !== 'text' && flags.output !== 'json') throw new BosunError('INPUT_INVALID', `--output must be text or json, not '${flags.output}'`);
      const tree = await imageTree(image, registryOptions(flags));
      process.stdout.write(flags.output === 'json' ? `${JSON.stringify(tree, null, 2)}\n` : formatTree(tree));
    });
}
