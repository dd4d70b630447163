import type { Command } from 'commander';
import { envPasswordSource } from '../../sign/index.js';
import { signCommand } from '../../sign/oci/index.js';
import { addRegistryOptions, collect, registryOptions, type RegistryFlags } from '../registry-flags.js';

interface Flags extends RegistryFlags {
  key: string;
  annotations?: string[];
  bundleFormat?: string;
  tlogUpload?: string;
}

/** `bosun sign --key K [-a k=v] [--bundle-format legacy|referrers|both] IMAGE`. */
export function registerSign(program: Command): void {
  addRegistryOptions(program
    .command('sign')
    .description('sign an image in a registry with a key, in cosign\'s .sig layout and/or as a Sigstore bundle referrer (offline: no Rekor)')
    .argument('<image>', 'the image; a tag is resolved to its digest once and the digest is signed')
    .requiredOption('--key <path>', 'private key: cosign.key, a PKCS#8 PEM, or env://VAR')
    .option('-a, --annotations <k=v>', 'signed annotation (repeatable)', collect)
    .option('--bundle-format <format>', 'legacy (cosign 2.x / Kyverno .sig tag), referrers (cosign 3.x OCI 1.1 bundle) or both', 'both')
    .option('--tlog-upload <bool>', 'only false: bosun has no Rekor client, key signatures are offline', 'false'))
    .action(async (image: string, flags: Flags) => {
      const tty = process.stdin.isTTY ? process.stdin : undefined;
      const r = await signCommand(image, {
        key: flags.key, password: envPasswordSource({ ...(tty ? { tty } : {}), out: process.stderr }),
        ...(flags.bundleFormat ? { bundleFormat: flags.bundleFormat } : {}),
        ...(flags.annotations ? { annotations: flags.annotations } : {}),
        tlogUpload: flags.tlogUpload === 'true', remote: registryOptions(flags),
      });
      if (r.legacy) process.stderr.write(`Pushed signature to ${r.reference.replace(/[:@][^/]*$/, '')}:${r.legacy.tag} (${r.legacy.manifest})\n`);
      if (r.referrer) process.stderr.write(`Attached Sigstore bundle referrer ${r.referrer.digest} to ${r.digest}\n`);
    });
}
