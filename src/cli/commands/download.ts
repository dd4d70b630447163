import type { Command } from 'commander';
import { downloadAttestations, downloadSignatures } from '../../sign/oci/index.js';
import { addRegistryOptions, registryOptions, type RegistryFlags } from '../registry-flags.js';

/** `bosun download signature|attestation IMAGE`: cosign's JSON lines, unverified. */
export function registerDownload(program: Command): void {
  const download = program.command('download').description('print what is attached to an image, as cosign does (unverified)');
  addRegistryOptions(download
    .command('signature')
    .description('the .sig layers (Base64Signature, Payload, Cert, Chain, Bundle) and signature bundle referrers, one JSON a line')
    .argument('<image>', 'the image (tag or digest)'))
    .action(async (image: string, flags: RegistryFlags) => {
      for (const item of await downloadSignatures(image, registryOptions(flags))) process.stdout.write(`${JSON.stringify(item)}\n`);
    });
  addRegistryOptions(download
    .command('attestation')
    .description('the DSSE envelopes of .att layers and attestation bundle referrers, one JSON a line')
    .argument('<image>', 'the image (tag or digest)')
    .option('--predicate-type <uri>', 'only attestations annotated with this predicateType'))
    .action(async (image: string, flags: RegistryFlags & { predicateType?: string }) => {
      for (const item of await downloadAttestations(image, flags.predicateType, registryOptions(flags))) process.stdout.write(`${JSON.stringify(item)}\n`);
    });
}
