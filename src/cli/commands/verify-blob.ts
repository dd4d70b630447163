import type { Command } from 'commander';
import { verifyBlob } from '../../sign/index.js';

interface Flags {
  bundle: string;
  key?: string;
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  certificateOidcIssuerRegexp?: string;
  trustedRoot?: string;
}

/** `bosun verify-blob --bundle B (--key K | --certificate-identity… --certificate-oidc-issuer…) FILE`. */
export function registerVerifyBlob(program: Command): void {
  program
    .command('verify-blob')
    .description('verify a file against a Sigstore bundle, with a key or a keyless identity (regexps are anchored)')
    .argument('<file>', 'the signed file')
    .requiredOption('--bundle <path>', 'the Sigstore bundle')
    .option('--key <path>', 'public key (PKIX PEM) or env://VAR')
    .option('--certificate-identity <san>', 'exact certificate SAN (email or URI)')
    .option('--certificate-identity-regexp <re>', 'regexp the WHOLE SAN must match (anchored, unlike cosign)')
    .option('--certificate-oidc-issuer <url>', 'exact OIDC issuer')
    .option('--certificate-oidc-issuer-regexp <re>', 'regexp the WHOLE issuer must match (anchored)')
    .option('--trusted-root <path>', 'trusted_root.json (required for keyless)')
    .action(async (file: string, flags: Flags) => {
      const r = await verifyBlob(file, flags);
      const who = r.kind === 'certificate' ? ` (signer ${r.subject ?? '?'}, issuer ${r.issuer ?? '?'})` : '';
      const note = r.transparencyChecked ? '' : '\nnote: no --trusted-root, so transparency-log entries and timestamps were not checked';
      process.stderr.write(`Verified OK${who}${note}\n`);
    });
}
