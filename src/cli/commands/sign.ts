import type { Command } from 'commander';
import { envPasswordSource } from '../../sign/index.js';
import { signCommand } from '../../sign/oci/index.js';
import { addKeylessOptions, keylessOptions, tlogUpload, type KeylessCliFlags } from '../keyless-flags.js';
import { addRegistryOptions, collect, registryOptions, type RegistryFlags } from '../registry-flags.js';

interface Flags extends RegistryFlags, KeylessCliFlags {
  key?: string;
  annotations?: string[];
  bundleFormat?: string;
  tlogUpload?: string;
}

/** `bosun sign [--key K | --identity-token T …] [-a k=v] [--bundle-format legacy|referrers|both] IMAGE`. */
export function registerSign(program: Command): void {
  const cmd = program
    .command('sign')
    .description('sign an image in a registry, with a key (offline) or keylessly (Fulcio + Rekor), in cosign\'s .sig layout and/or as a Sigstore bundle referrer')
    .argument('<image>', 'the image; a tag is resolved to its digest once and the digest is signed')
    .option('--key <path>', 'private key: cosign.key, a PKCS#8 PEM, or env://VAR (omit to sign keylessly)')
    .option('-a, --annotations <k=v>', 'signed annotation (repeatable)', collect)
    .option('--bundle-format <format>', 'legacy (cosign 2.x / Kyverno .sig tag), referrers (cosign 3.x OCI 1.1 bundle) or both', 'both')
    .option('--tlog-upload <bool>', 'key signing: only false (offline); keyless: only true');
  addKeylessOptions(addRegistryOptions(cmd)).action(async (image: string, flags: Flags) => {
    const tty = process.stdin.isTTY ? process.stdin : undefined;
    const r = await signCommand(image, {
      ...(flags.key === undefined ? {} : { key: flags.key }),
      password: envPasswordSource({ ...(tty ? { tty } : {}), out: process.stderr }),
      ...(flags.bundleFormat ? { bundleFormat: flags.bundleFormat } : {}),
      ...(flags.annotations ? { annotations: flags.annotations } : {}),
      ...tlogUpload(flags.tlogUpload), ...keylessOptions(flags, cmd), remote: registryOptions(flags),
    });
    if (r.legacy) process.stderr.write(`Pushed signature to ${r.reference.replace(/[:@][^/]*$/, '')}:${r.legacy.tag} (${r.legacy.manifest})\n`);
    if (r.referrer) process.stderr.write(`Attached Sigstore bundle referrer ${r.referrer.digest} to ${r.digest}\n`);
  });
}
