import type { Command } from 'commander';

/** Every CLI verb, registered explicitly (no import side effects). */
export const commands: ReadonlyArray<(program: Command) => void> = [];
