import type { Command } from 'commander';
import { BosunError } from '../../errors.js';
import { describeReport, verifyAttestationCommand } from '../../sign/oci/index.js';
import { addVerifyOptions, verifyOptions, type VerifyFlags } from '../verify-flags.js';

/** `bosun verify-attestation (--key K | --certificate-…) --type T IMAGE`. */
export function registerVerifyAttestation(program: Command): void {
  addVerifyOptions(program
    .command('verify-attestation')
    .description('verify an image\'s in-toto attestations of exactly one predicateType; prints the verified DSSE envelopes')
    .argument('<image>', 'the image (tag or digest)')
    .option('--type <type>', 'spdxjson, cyclonedx, vuln, slsaprovenance1, custom, … or a predicateType URI (matched exactly)', 'custom'))
    .action(async (image: string, flags: VerifyFlags & { type: string }) => {
      if (flags.output !== 'text' && flags.output !== 'json') throw new BosunError('INPUT_INVALID', `--output must be text or json, not '${flags.output ?? ''}'`);
      const report = await verifyAttestationCommand(image, flags.type, verifyOptions(flags));
      if (flags.output === 'json') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else for (const v of report.verified) process.stdout.write(`${JSON.stringify(v.envelope ?? v.payload)}\n`);
      process.stderr.write(describeReport(report, 'attestation'));
    });
}
