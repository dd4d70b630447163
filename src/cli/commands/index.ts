import type { Command } from 'commander';
import { registerClean } from './clean.js';
import { registerRegistry } from './registry.js';

/** Every CLI verb, registered explicitly (no import side effects). */
export const commands: ReadonlyArray<(program: Command) => void> = [registerClean, registerRegistry];
