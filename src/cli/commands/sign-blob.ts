import type { Command } from 'commander';
import { envPasswordSource, signBlob } from '../../sign/index.js';
import { addKeylessOptions, keylessOptions, type KeylessCliFlags } from '../keyless-flags.js';

interface Flags extends KeylessCliFlags {
  key?: string;
  bundle?: string;
}

/** `bosun sign-blob [--key K | --identity-token T …] [--bundle B] FILE`. */
export function registerSignBlob(program: Command): void {
  const cmd = program
    .command('sign-blob')
    .description('sign a file and write a Sigstore bundle: with a key (offline), or keylessly (Fulcio + Rekor)')
    .argument('<file>', 'the file to sign')
    .option('--key <path>', 'private key: cosign.key, a PKCS#8 PEM, or env://VAR (omit to sign keylessly)')
    .option('--bundle <path>', 'write the bundle here (default: print it on stdout)');
  addKeylessOptions(cmd).action(async (file: string, flags: Flags) => {
    const tty = process.stdin.isTTY ? process.stdin : undefined;
    const password = envPasswordSource({ ...(tty ? { tty } : {}), out: process.stderr });
    const r = await signBlob(file, {
      ...(flags.key === undefined ? {} : { key: flags.key }), password,
      ...(flags.bundle ? { bundlePath: flags.bundle } : {}), ...keylessOptions(flags, cmd),
    });
    if (flags.bundle) process.stderr.write(`Wrote bundle to file ${flags.bundle}\n`);
    else process.stdout.write(r.json);
  });
}
