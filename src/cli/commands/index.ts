import type { Command } from 'commander';

/** A CLI verb: its name, and how to load the module that registers it. */
export interface CommandEntry {
  name: string;
  load: () => Promise<(program: Command) => void>;
}

/**
 * Every CLI verb, in help order (the pipeline first). Modules load lazily: a run loads only the
 * verb it runs (and `--help` loads them all), so start-up does not pay for every dependency.
 * Each module's file name is the verb's name.
 */
export const commands: readonly CommandEntry[] = [
  // images
  { name: 'inspect', load: async () => (await import('./inspect.js')).registerInspect },
  { name: 'copy', load: async () => (await import('./copy.js')).registerCopy },
  { name: 'tree', load: async () => (await import('./tree.js')).registerTree },
  { name: 'sbom', load: async () => (await import('./sbom.js')).registerSbom },
  // vulnerability scanning
  { name: 'image', load: async () => (await import('./image.js')).registerImage },
  { name: 'fs', load: async () => (await import('./fs.js')).registerFs },
  { name: 'rootfs', load: async () => (await import('./rootfs.js')).registerRootfs },
  { name: 'sbom-scan', load: async () => (await import('./sbom-scan.js')).registerSbomScan },
  // vulnerability database
  { name: 'db', load: async () => (await import('./db.js')).registerDb },
  // signing and attestation
  { name: 'generate-key-pair', load: async () => (await import('./generate-key-pair.js')).registerGenerateKeyPair },
  { name: 'sign', load: async () => (await import('./sign.js')).registerSign },
  { name: 'attest', load: async () => (await import('./attest.js')).registerAttest },
  { name: 'verify', load: async () => (await import('./verify.js')).registerVerify },
  { name: 'verify-attestation', load: async () => (await import('./verify-attestation.js')).registerVerifyAttestation },
  { name: 'download', load: async () => (await import('./download.js')).registerDownload },
  { name: 'sign-blob', load: async () => (await import('./sign-blob.js')).registerSignBlob },
  { name: 'verify-blob', load: async () => (await import('./verify-blob.js')).registerVerifyBlob },
  // servers and policy
  { name: 'admission', load: async () => (await import('./admission.js')).registerAdmission },
  { name: 'registry', load: async () => (await import('./registry.js')).registerRegistry },
  { name: 'policy', load: async () => (await import('./policy.js')).registerPolicy },
  // maintenance and conformance
  { name: 'clean', load: async () => (await import('./clean.js')).registerClean },
  { name: 'sigstore-conformance', load: async () => (await import('./sigstore-conformance.js')).registerSigstoreConformance },
];

/** The verbs a command line needs: the one it names, or all of them (help, unknown verbs). */
export function entriesFor(argv: readonly string[]): readonly CommandEntry[] {
  const words = argv.filter((a) => !a.startsWith('-'));
  if (words.length === 0 && (argv.includes('--version') || argv.includes('-V'))) return [];
  const wanted = words[0] === 'help' ? words[1] : words[0];
  const hit = commands.find((c) => c.name === wanted);
  return hit ? [hit] : commands;
}
