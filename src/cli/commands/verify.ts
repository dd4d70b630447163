import type { Command } from 'commander';
import { BosunError } from '../../errors.js';
import { describeReport, verifyCommand } from '../../sign/oci/index.js';
import { collect } from '../registry-flags.js';
import { addVerifyOptions, verifyOptions, type VerifyFlags } from '../verify-flags.js';

/** `bosun verify (--key K | --certificate-identity… --certificate-oidc-issuer…) [-a k=v] IMAGE`. */
export function registerVerify(program: Command): void {
  addVerifyOptions(program
    .command('verify')
    .description('verify an image\'s signatures (cosign .sig tag and Sigstore bundle referrers); prints the verified payloads')
    .argument('<image>', 'the image (tag or digest)')
    .option('-a, --annotations <k=v>', 'require this signed annotation (repeatable)', collect))
    .action(async (image: string, flags: VerifyFlags & { annotations?: string[] }) => {
      if (flags.output !== 'text' && flags.output !== 'json') throw new BosunError('INPUT_INVALID', `--output must be text or json, not '${flags.output ?? ''}'`);
      const report = await verifyCommand(image, verifyOptions(flags, flags.annotations));
      if (flags.output === 'json') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else for (const v of report.verified) process.stdout.write(`${JSON.stringify(v.payload)}\n`);
      process.stderr.write(describeReport(report, 'signature'));
    });
}
