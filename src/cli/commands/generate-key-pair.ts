import type { Command } from 'commander';
import { envPasswordSource, generateKeyPair } from '../../sign/index.js';

/** `bosun generate-key-pair`: cosign-format ECDSA P-256 key pair in the current directory. */
export function registerGenerateKeyPair(program: Command): void {
  program
    .command('generate-key-pair')
    .description('generate an ECDSA P-256 key pair in cosign format (<prefix>.key encrypted, <prefix>.pub)')
    .option('--output-key-prefix <prefix>', 'file name stem for the key files', 'cosign')
    .option('-f, --force', 'overwrite existing key files')
    .action(async (opts: { outputKeyPrefix: string; force?: boolean }) => {
      const tty = process.stdin.isTTY ? process.stdin : undefined;
      const password = envPasswordSource({ ...(tty ? { tty } : {}), out: process.stderr });
      const r = await generateKeyPair({ dir: process.cwd(), prefix: opts.outputKeyPrefix, force: opts.force === true, password });
      process.stderr.write(`Private key written to ${r.privateKeyPath}\nPublic key written to ${r.publicKeyPath}\n`);
    });
}
