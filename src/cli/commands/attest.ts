import type { Command } from 'commander';
import { envPasswordSource } from '../../sign/index.js';
import { attestCommand, readPredicate } from '../../sign/oci/index.js';
import { addKeylessOptions, keylessOptions, tlogUpload, type KeylessCliFlags } from '../keyless-flags.js';
import { addRegistryOptions, collect, registryOptions, type RegistryFlags } from '../registry-flags.js';

interface Flags extends RegistryFlags, KeylessCliFlags {
  key?: string;
  predicate: string;
  type: string;
  annotations?: string[];
  bundleFormat?: string;
  tlogUpload?: string;
}

/** `bosun attest [--key K | --identity-token T …] --predicate F|- --type T IMAGE`. */
export function registerAttest(program: Command): void {
  const cmd = program
    .command('attest')
    .description('attach a signed in-toto attestation (DSSE) to an image, with a key or keylessly: cosign\'s .att layout and/or a Sigstore bundle referrer')
    .argument('<image>', 'the image; a tag is resolved to its digest once')
    .option('--key <path>', 'private key: cosign.key, a PKCS#8 PEM, or env://VAR (omit to sign keylessly)')
    .requiredOption('--predicate <file>', 'the predicate JSON; - reads stdin')
    .option('--type <type>', 'spdxjson, cyclonedx, vuln, slsaprovenance1, custom, … or a predicateType URI', 'custom')
    .option('-a, --annotations <k=v>', 'annotation on the .att layer (repeatable; not signed)', collect)
    .option('--bundle-format <format>', 'legacy, referrers or both', 'both')
    .option('--tlog-upload <bool>', 'key signing: only false (offline); keyless: only true');
  addKeylessOptions(addRegistryOptions(cmd)).action(async (image: string, flags: Flags) => {
    const predicate = await readPredicate(flags.predicate, () => process.stdin);
    // The password cannot be prompted for when stdin carries the predicate.
    const tty = process.stdin.isTTY && flags.predicate !== '-' ? process.stdin : undefined;
    const r = await attestCommand(image, flags.type, predicate, {
      ...(flags.key === undefined ? {} : { key: flags.key }),
      password: envPasswordSource({ ...(tty ? { tty } : {}), out: process.stderr }),
      ...(flags.bundleFormat ? { bundleFormat: flags.bundleFormat } : {}),
      ...(flags.annotations ? { annotations: flags.annotations } : {}),
      ...tlogUpload(flags.tlogUpload), ...keylessOptions(flags, cmd), remote: registryOptions(flags),
    });
    if (r.legacy) process.stderr.write(`Pushed attestation to ${r.legacy.tag} (${r.legacy.manifest})\n`);
    if (r.referrer) process.stderr.write(`Attached Sigstore bundle referrer ${r.referrer.digest} to ${r.digest}\n`);
  });
}
