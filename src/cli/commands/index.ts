import type { Command } from 'commander';
import { registerClean } from './clean.js';
import { registerCopy } from './copy.js';
import { registerInspect } from './inspect.js';

/** Every CLI verb, registered explicitly (no import side effects). */
export const commands: ReadonlyArray<(program: Command) => void> = [registerInspect, registerCopy, registerClean];
