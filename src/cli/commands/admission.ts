import type { Command } from 'commander';
import { pino } from 'pino';
import { serveAdmission } from '../../admission/index.js';
import { BosunError } from '../../errors.js';

interface ServeFlags {
  policies: string;
  cert: string;
  key: string;
  addr: string;
  auditLog?: string;
  policyReports?: string;
  exceptionsNamespace?: string;
  insecureRegistries: string[];
  namespaces?: string;
  trustedRoot?: string;
  timeout: string;
  verifyCacheTtl: string;
  verifyCacheSize: string;
  failurePolicy: string;
  logLevel: string;
}

/** `bosun admission serve`: the validating/mutating webhook (docs/admission.md). */
export function registerAdmission(program: Command): void {
  const admission = program.command('admission').description('Kubernetes admission webhook enforcing Kyverno-compatible policies');
  admission
    .command('serve')
    .description('serve /validate and /mutate over HTTPS')
    .requiredOption('--policies <dir>', 'directory of ClusterPolicy/Policy (and PolicyException) YAML')
    .requiredOption('--cert <file>', 'TLS certificate (PEM); reloaded when it changes')
    .requiredOption('--key <file>', 'TLS private key (PEM); reloaded when it changes')
    .option('--addr <host:port>', 'address to listen on', '0.0.0.0:9443')
    .option('--audit-log <file>', 'append-only JSON Lines audit log')
    .option('--policy-reports <file>', 'write wgpolicyk8s.io/v1alpha2 PolicyReports (YAML) here')
    .option('--exceptions-namespace <ns>', 'accept PolicyExceptions only from this namespace')
    .option('--insecure-registries <host...>', 'registries reached over plain HTTP / without TLS verification', [])
    .option('--namespaces <file>', 'YAML map of namespace name to labels, for namespaceSelector')
    .option('--trusted-root <file>', 'Sigstore trusted_root.json for keyless attestors')
    .option('--timeout <ms>', 'decision budget; keep well inside the webhook timeoutSeconds', '8000')
    .option('--verify-cache-ttl <seconds>', 'how long a successful signature/attestation verification is reused', '300')
    .option('--verify-cache-size <n>', 'verification results kept at most (least recently used dropped)', '10000')
    .option('--failure-policy <Fail|Ignore>', 'what to answer when a decision cannot be made', 'Fail')
    .option('--log-level <level>', 'pino log level', 'info')
    .action(async (flags: ServeFlags) => {
      const timeoutMs = Number(flags.timeout);
      if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new BosunError('INPUT_INVALID', `invalid --timeout "${flags.timeout}": want milliseconds > 0`);
      const ttlSeconds = positiveInteger(flags.verifyCacheTtl, '--verify-cache-ttl', true);
      const maxEntries = positiveInteger(flags.verifyCacheSize, '--verify-cache-size', false);
      if (flags.failurePolicy !== 'Fail' && flags.failurePolicy !== 'Ignore') throw new BosunError('INPUT_INVALID', `invalid --failure-policy "${flags.failurePolicy}": want Fail or Ignore`);
      const logger = pino({ level: flags.logLevel }, pino.destination(2));
      const server = await serveAdmission({
        policiesDir: flags.policies,
        certFile: flags.cert,
        keyFile: flags.key,
        addr: flags.addr,
        insecureRegistries: flags.insecureRegistries,
        timeoutMs,
        verifyCache: { ttlMs: ttlSeconds * 1000, maxEntries },
        failurePolicy: flags.failurePolicy,
        logger,
        ...(flags.auditLog ? { auditLog: flags.auditLog } : {}),
        ...(flags.policyReports ? { policyReports: flags.policyReports } : {}),
        ...(flags.exceptionsNamespace ? { exceptionsNamespace: flags.exceptionsNamespace } : {}),
        ...(flags.namespaces ? { namespacesFile: flags.namespaces } : {}),
        ...(flags.trustedRoot ? { trustedRootFile: flags.trustedRoot } : {}),
      });
      process.stderr.write(`bosun: admission webhook listening on ${server.url}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await server.close();
    });
}

// `0` is allowed for the TTL (never reuse a verification), not for the size.
function positiveInteger(raw: string, flag: string, zeroOk: boolean): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < (zeroOk ? 0 : 1)) throw new BosunError('INPUT_INVALID', `invalid ${flag} "${raw}": want an integer ${zeroOk ? '>= 0' : '> 0'}`);
  return n;
}
