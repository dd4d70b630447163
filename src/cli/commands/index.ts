import type { Command } from 'commander';
import { registerPolicy } from './policy.js';

/** Every CLI verb, registered explicitly (no import side effects). */
export const commands: ReadonlyArray<(program: Command) => void> = [registerPolicy];
