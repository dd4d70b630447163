import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { BosunError } from '../errors.js';
import type { RemoteOptions } from '../oci/remote/index.js';
import type { Policy } from '../policy/index.js';
import { toPolicy } from '../policy/index.js';
import { parseYamlDocuments, readTextFile } from '../policy/load.js';
import { loadTrustedRoot } from '../sign/index.js';
import { VerificationCache, type VerificationCacheOptions } from '../sign/oci/index.js';
import { openAuditLog } from './audit-log.js';
import type { PolicyException } from './exceptions.js';
import { acceptExceptions } from './exceptions.js';
import type { AdmissionHandler } from './handler.js';
import { admissionHandler } from './handler.js';
import { withAuditLog } from './middleware/with-audit-log.js';
import { withFailurePolicy } from './middleware/with-failure-policy.js';
import { withPolicyReports } from './middleware/with-policy-reports.js';
import { withTimeout } from './middleware/with-timeout.js';
import type { NamespaceLookup } from './namespaces.js';
import { namespacesFromFile, staticNamespaces } from './namespaces.js';
import { policyReportFile } from './reports.js';
import type { AdmissionServer } from './server.js';
import { startAdmissionServer } from './server.js';
import { registrySource } from './verify-images/signatures.js';
import type { VerifierDeps, Verified } from './verify-images/verifier.js';

/** Policies and break-glass exceptions read from a directory of YAML files. */
export interface AdmissionConfig {
  readonly policies: Policy[];
  readonly exceptions: PolicyException[];
}

/**
 * Reads every `.yaml`/`.yml` file under `dir` (recursively): ClusterPolicy/Policy documents
 * become policies; PolicyException documents are accepted only per `acceptExceptions` (rejections
 * are logged). Other kinds are ignored. Throws POLICY_INVALID, IO_FAILED, ADMISSION_CONFIG_INVALID.
 */
export async function loadAdmissionConfig(dir: string, exceptionsNamespace: string | undefined, logger?: Logger): Promise<AdmissionConfig> {
  let files: string[];
  try {
    files = (await readdir(dir, { recursive: true })).filter((f) => /\.ya?ml$/.test(f)).sort();
  } catch (err) {
    throw new BosunError('ADMISSION_CONFIG_INVALID', `cannot read policies directory ${dir}`, { cause: err });
  }
  const policies: Policy[] = [];
  const exceptionDocs: unknown[] = [];
  for (const f of files) {
    const docs = parseYamlDocuments(await readTextFile(join(dir, f)), f, 'POLICY_INVALID');
    for (const [i, doc] of docs.entries()) {
      const kind = (doc as { kind?: unknown } | null)?.kind;
      if (kind === 'ClusterPolicy' || kind === 'Policy') policies.push(toPolicy(doc, `${f}#${i + 1}`));
      else if (kind === 'PolicyException') exceptionDocs.push(doc);
    }
  }
  if (policies.length === 0) throw new BosunError('ADMISSION_CONFIG_INVALID', `no ClusterPolicy or Policy found under ${dir}`);
  if (exceptionDocs.length > 0 && !exceptionsNamespace) {
    logger?.warn({ count: exceptionDocs.length }, 'PolicyExceptions ignored: no --exceptions-namespace configured');
    return { policies, exceptions: [] };
  }
  const { accepted, rejected } = acceptExceptions(exceptionDocs, exceptionsNamespace ?? '');
  for (const r of rejected) logger?.warn(r, 'PolicyException rejected');
  return { policies, exceptions: accepted };
}

/** Registry options for verification: `insecure` for the listed registries (plain HTTP / no TLS check). */
export function registryOptions(insecureRegistries: readonly string[]): (registry: string) => RemoteOptions {
  const insecure = new Set(insecureRegistries);
  return (registry) => ({ insecure: insecure.has(registry), retry: { attempts: 2, baseDelayMs: 50 } });
}

/**
 * Shared verification dependencies: the registry read as `bosun verify` reads it (cosign tags
 * and bundle referrers) and one verification cache (5 minutes, 10 000 entries by default).
 */
export function verifierDeps(optionsFor: (registry: string) => RemoteOptions, extra: { trustedRoot?: VerifierDeps['trustedRoot']; cache?: VerificationCacheOptions } = {}): VerifierDeps {
  return {
    signatures: registrySource(optionsFor),
    cache: new VerificationCache<Verified>(extra.cache ?? {}),
    ...(extra.trustedRoot ? { trustedRoot: extra.trustedRoot } : {}),
  };
}

export interface ServeAdmissionOptions {
  readonly policiesDir: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly addr?: string;
  readonly auditLog?: string;
  readonly policyReports?: string;
  readonly exceptionsNamespace?: string;
  readonly insecureRegistries?: readonly string[];
  /** YAML/JSON map of namespace → labels; without it only `kubernetes.io/metadata.name` is known. */
  readonly namespacesFile?: string;
  readonly trustedRootFile?: string;
  /** Decision budget in ms (default 8000: inside a 10 s webhook timeoutSeconds). */
  readonly timeoutMs?: number;
  readonly failurePolicy?: 'Fail' | 'Ignore';
  /** TTL and size of the verification cache (default 5 minutes, 10 000 entries). */
  readonly verifyCache?: Pick<VerificationCacheOptions, 'ttlMs' | 'maxEntries'>;
  readonly logger?: Logger;
}

/** Loads everything, wires the decorators and starts the HTTPS server. `close` flushes logs. */
export async function serveAdmission(opts: ServeAdmissionOptions): Promise<AdmissionServer> {
  const config = await loadAdmissionConfig(opts.policiesDir, opts.exceptionsNamespace, opts.logger);
  const namespaces: NamespaceLookup = opts.namespacesFile ? await namespacesFromFile(opts.namespacesFile) : staticNamespaces({});
  const trustedRoot = opts.trustedRootFile ? await loadTrustedRoot(opts.trustedRootFile) : undefined;
  const deps = verifierDeps(registryOptions(opts.insecureRegistries ?? []), { ...(trustedRoot ? { trustedRoot } : {}), ...(opts.verifyCache ? { cache: opts.verifyCache } : {}) });
  const audit = opts.auditLog ? await openAuditLog(opts.auditLog) : undefined;
  const reports = opts.policyReports ? policyReportFile(opts.policyReports) : undefined;
  const wrap = (endpoint: 'validate' | 'mutate'): AdmissionHandler => {
    let h = admissionHandler(endpoint, { policies: config.policies, verifier: deps, namespaces, exceptions: () => config.exceptions, ...(opts.logger ? { logger: opts.logger } : {}) });
    if (reports) h = withPolicyReports(h, reports);
    h = withFailurePolicy(withTimeout(h, opts.timeoutMs ?? 8000), opts.failurePolicy ?? 'Fail', opts.logger);
    return audit ? withAuditLog(h, audit, opts.logger) : h;
  };
  const server = await startAdmissionServer({
    handlers: { validate: wrap('validate'), mutate: wrap('mutate') },
    certFile: opts.certFile,
    keyFile: opts.keyFile,
    ...(opts.addr ? { addr: opts.addr } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  opts.logger?.info({ policies: config.policies.length, exceptions: config.exceptions.length, url: server.url }, 'admission webhook listening');
  return {
    ...server,
    close: async () => {
      await server.close();
      await reports?.close();
      await audit?.close();
    },
  };
}
