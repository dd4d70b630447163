import type { Command } from 'commander';
import { registerGenerateKeyPair } from './generate-key-pair.js';
import { registerSigstoreConformance } from './sigstore-conformance.js';
import { registerSignBlob } from './sign-blob.js';
import { registerVerifyBlob } from './verify-blob.js';

/** Every CLI verb, registered explicitly (no import side effects). */
export const commands: ReadonlyArray<(program: Command) => void> = [
  registerGenerateKeyPair,
  registerSignBlob,
  registerVerifyBlob,
  registerSigstoreConformance,
];
