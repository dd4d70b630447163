import type { Command } from 'commander';
import { conformanceSign, conformanceVerify } from '../../sign/index.js';

interface VerifyFlags {
  bundle: string;
  certificateIdentity?: string;
  certificateOidcIssuer?: string;
  key?: string;
  trustedRoot?: string;
  staging?: boolean;
}

interface SignFlags {
  identityToken: string;
  bundle: string;
  staging?: boolean;
  trustedRoot?: string;
  signingConfig?: string;
}

/**
 * `bosun sigstore-conformance sign-bundle|verify-bundle`: the sigstore-conformance client
 * protocol (docs/cli_protocol.md upstream). Exit 0 on success, non-zero on failure.
 */
export function registerSigstoreConformance(program: Command): void {
  const cmd = program.command('sigstore-conformance').description('sigstore-conformance test-suite client (bundle flow)');
  cmd
    .command('verify-bundle')
    .argument('<file-or-digest>', 'artifact path, or sha256:<hex>')
    .requiredOption('--bundle <path>', 'the bundle to verify')
    .option('--certificate-identity <san>', 'expected certificate SAN')
    .option('--certificate-oidc-issuer <url>', 'expected OIDC issuer')
    .option('--key <path>', 'verify with this public key instead of an identity')
    .option('--trusted-root <path>', 'trusted_root.json (required: bosun does not fetch TUF here)')
    .option('--staging', 'use Sigstore staging (needs --trusted-root offline)')
    .action(async (fileOrDigest: string, f: VerifyFlags) => {
      await conformanceVerify({ fileOrDigest, ...f });
    });
  cmd
    .command('sign-bundle')
    .argument('<file>', 'artifact to sign')
    .requiredOption('--identity-token <token>', 'OIDC identity token')
    .requiredOption('--bundle <path>', 'where to write the bundle')
    .option('--staging', 'use Sigstore staging')
    .option('--trusted-root <path>', 'trusted_root.json')
    .option('--signing-config <path>', 'signing_config.json')
    .action(async (file: string, f: SignFlags) => {
      await conformanceSign({ file, ...f });
    });
}
