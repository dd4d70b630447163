import type { Command } from 'commander';
import { addScanOptions, scanCommand, type ScanFlags } from '../scan-options.js';

/** `bosun sbom-scan <file>`: scan the packages of an SPDX or CycloneDX JSON SBOM. */
export function registerSbomScan(program: Command): void {
  addScanOptions(
    program
      .command('sbom-scan')
      .description('scan the packages listed in an SPDX 2.x or CycloneDX 1.4-1.6 JSON SBOM for known vulnerabilities')
      .argument('<file>', 'SBOM file'),
  ).action(async (file: string, flags: ScanFlags) => {
    await scanCommand(flags, async () => ({ target: { kind: 'sbom', file } }));
  });
}
