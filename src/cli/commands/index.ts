import type { Command } from 'commander';
import { registerClean } from './clean.js';
import { registerCopy } from './copy.js';
import { registerInspect } from './inspect.js';
import { registerPolicy } from './policy.js';

/** Every CLI verb, registered explicitly (no import side effects), in help order. */
export const commands: ReadonlyArray<(program: Command) => void> = [
  registerInspect,
  registerCopy,
  registerPolicy,
  registerClean,
];
