import type { Command } from 'commander';
import { registerAdmission } from './admission.js';
import { registerClean } from './clean.js';
import { registerCopy } from './copy.js';
import { registerGenerateKeyPair } from './generate-key-pair.js';
import { registerInspect } from './inspect.js';
import { registerPolicy } from './policy.js';
import { registerRegistry } from './registry.js';
import { registerSignBlob } from './sign-blob.js';
import { registerSigstoreConformance } from './sigstore-conformance.js';
import { registerVerifyBlob } from './verify-blob.js';

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
  registerAdmission,
];
