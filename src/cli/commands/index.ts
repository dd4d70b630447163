import type { Command } from 'commander';
import { registerClean } from './clean.js';
import { registerCopy } from './copy.js';
import { registerGenerateKeyPair } from './generate-key-pair.js';
import { registerInspect } from './inspect.js';
import { registerPolicy } from './policy.js';
import { registerRegistry } from './registry.js';
import { registerSignBlob } from './sign-blob.js';
import { registerSigstoreConformance } from './sigstore-conformance.js';
import { registerVerifyBlob } from './verify-blob.js';
import { registerSign } from './sign.js';
import { registerAttest } from './attest.js';
import { registerVerify } from './verify.js';
import { registerVerifyAttestation } from './verify-attestation.js';
import { registerTree } from './tree.js';
import { registerDownload } from './download.js';
import { registerImage } from './image.js';
import { registerFs } from './fs.js';
import { registerRootfs } from './rootfs.js';
import { registerSbomScan } from './sbom-scan.js';

/** Every CLI verb, registered explicitly (no import side effects), in help order. */
export const commands: ReadonlyArray<(program: Command) => void> = [
  registerInspect,
  registerCopy,
  registerGenerateKeyPair,
  registerSignBlob,
  registerVerifyBlob,
  registerPolicy,
  registerRegistry,
  registerSigstoreConformance,
  registerClean,
  registerSign,
  registerAttest,
  registerVerify,
  registerVerifyAttestation,
  registerTree,
  registerDownload,
  registerImage,
  registerFs,
  registerRootfs,
  registerSbomScan,
];
