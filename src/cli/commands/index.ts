import type { Command } from 'commander';
import { registerClean } from './clean.js';
import { registerCopy } from './copy.js';
import { registerDb } from './db.js';
import { registerGenerateKeyPair } from './generate-key-pair.js';
import { registerInspect } from './inspect.js';
import { registerPolicy } from './policy.js';
import { registerSbom } from './sbom.js';
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

/** Every CLI verb, registered explicitly (no import side effects), in help order: the pipeline first. */
export const commands: ReadonlyArray<(program: Command) => void> = [
  // images
  registerInspect,
  registerCopy,
  registerTree,
  registerSbom,
  // vulnerability database
  registerDb,
  // signing and attestation
  registerGenerateKeyPair,
  registerSign,
  registerAttest,
  registerVerify,
  registerVerifyAttestation,
  registerDownload,
  registerSignBlob,
  registerVerifyBlob,
  // servers and policy
  registerRegistry,
  registerPolicy,
  // maintenance and conformance
  registerClean,
  registerSigstoreConformance,
];
