import type { Command } from 'commander';
import { addScanOptions, scanCommand, type ScanFlags } from '../scan-options.js';

/** `bosun rootfs <dir>`: scan an unpacked root filesystem (OS and language packages) for known vulnerabilities. */
export function registerRootfs(program: Command): void {
  addScanOptions(
    program
      .command('rootfs')
      .description('scan an unpacked root filesystem (OS and language packages) for known vulnerabilities')
      .argument('<dir>', 'directory to scan'),
  ).action(async (dir: string, flags: ScanFlags) => {
    await scanCommand(flags, async () => ({ target: { kind: 'directory', dir } }));
  });
}
