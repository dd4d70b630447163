import type { Command } from 'commander';
import { envPasswordSource, signBlob } from '../../sign/index.js';

/** `bosun sign-blob --key K [--bundle B] FILE` (offline: no transparency-log upload). */
export function registerSignBlob(program: Command): void {
  program
    .command('sign-blob')
    .description('sign a file with a key and write a Sigstore bundle (offline; no Rekor upload)')
    .argument('<file>', 'the file to sign')
    .requiredOption('--key <path>', 'private key: cosign.key, a PKCS#8 PEM, or env://VAR')
    .option('--bundle <path>', 'write the bundle here (default: print it on stdout)')
    .action(async (file: string, opts: { key: string; bundle?: string }) => {
      const tty = process.stdin.isTTY ? process.stdin : undefined;
      const password = envPasswordSource({ ...(tty ? { tty } : {}), out: process.stderr });
      const r = await signBlob(file, { key: opts.key, password, ...(opts.bundle ? { bundlePath: opts.bundle } : {}) });
      if (opts.bundle) process.stderr.write(`Wrote bundle to file ${opts.bundle}\n`);
      else process.stdout.write(r.json);
    });
}
