import type { Command } from 'commander';
import { addScanOptions, scanCommand, type ScanFlags } from '../scan-options.js';

/** `bosun fs <dir>`: scan a project directory (lockfiles and installed packages) for known vulnerabilities. */
export function registerFs(program: Command): void {
  addScanOptions(
    program
      .command('fs')
      .description('scan a project directory (lockfiles and installed packages) for known vulnerabilities')
      .argument('<dir>', 'directory to scan'),
  ).action(async (dir: string, flags: ScanFlags) => {
    await scanCommand(flags, async () => ({ target: { kind: 'directory', dir } }));
  });
}
