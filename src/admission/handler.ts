import type { Logger } from 'pino';
import { isBosunError } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import type { KubeObject, Policy, PolicyRequest, RuleResult } from '../policy/index.js';
import { defaultRuleKinds, evaluate, verifyImagesRule } from '../policy/index.js';
import type { ExceptionUse, PolicyException } from './exceptions.js';
import { applyExceptions } from './exceptions.js';
import type { NamespaceLookup } from './namespaces.js';
import { digestPatch } from './patch.js';
import type { AdmissionRequest, AdmissionResponse } from './review.js';
import { boundWarnings } from './review.js';
import type { ImageRecord, VerifierDeps } from './verify-images/verifier.js';
import { requestVerifier } from './verify-images/verifier.js';

/** What the audit log and reports learn about one decision (never sent to the API server). */
export interface AdmissionDetails {
  readonly endpoint: 'validate' | 'mutate';
  readonly results: readonly RuleResult[];
  readonly images: readonly ImageRecord[];
  readonly exceptions: readonly ExceptionUse[];
}

/** A decision: the wire response plus `details` for decorators (stripped before sending). */
export type AdmissionDecision = AdmissionResponse & { readonly details?: AdmissionDetails };

/** The one admission seam; cross-cutting concerns wrap it (see middleware/). */
export type AdmissionHandler = (req: AdmissionRequest, signal: AbortSignal) => Promise<AdmissionDecision>;

export interface HandlerOptions {
  readonly policies: readonly Policy[];
  readonly verifier: VerifierDeps;
  readonly namespaces: NamespaceLookup;
  /** Accepted break-glass exceptions (see exceptions.ts); re-read by the caller as it likes. */
  readonly exceptions?: () => readonly PolicyException[];
  readonly logger?: Logger;
  readonly now?: () => Date;
}

const verifyKind = (k: { name: string }): boolean => k.name === 'verify-images';

/**
 * Builds the handler for one endpoint. `mutate` runs only verifyImages rules and answers with a
 * JSON Patch pinning verified tags to the digest that was verified; `validate` runs every rule
 * (verifyImages included, so an image that skipped mutation is still checked). A failing or
 * erroring rule of an Enforce policy denies; Audit failures admit with warnings. An `error`
 * admits only when the policy says `failurePolicy: Ignore`.
 */
export function admissionHandler(endpoint: 'validate' | 'mutate', opts: HandlerOptions): AdmissionHandler {
  return async (req, signal) => {
    const resource = (req.operation === 'DELETE' ? req.oldObject : req.object) ?? {};
    let namespaceLabels: Readonly<Record<string, string>> | undefined;
    if (req.namespace) {
      try {
        namespaceLabels = await opts.namespaces.labels(req.namespace, signal);
      } catch (err) {
        // Fail closed: without labels, namespaceSelector policies would silently not apply.
        opts.logger?.error({ uid: req.uid, err }, 'namespace lookup failed; denying');
        return { uid: req.uid, allowed: false, status: { code: 500, message: `namespace '${req.namespace}' could not be looked up: ${isBosunError(err) ? err.code : 'error'}` } };
      }
    }
    const preq = policyRequest(req, resource as KubeObject, namespaceLabels);
    const rv = requestVerifier(opts.verifier, { mutate: endpoint === 'mutate' });
    const kinds = [...defaultRuleKinds.filter((k) => !verifyKind(k)), verifyImagesRule(rv.verifier)].filter((k) => endpoint === 'validate' || verifyKind(k));
    const raw = await evaluate(opts.policies, preq, { ruleKinds: kinds, signal });
    const { results, used } = applyExceptions(raw, preq, opts.exceptions?.() ?? [], (opts.now ?? (() => new Date()))());
    const details: AdmissionDetails = { endpoint, results, images: rv.images(), exceptions: used };
    const response = decide(req.uid, results, opts.policies);
    return { ...response, details, ...(response.allowed && endpoint === 'mutate' ? patchFor(req, rv.pins) : {}) };
  };
}

function policyRequest(req: AdmissionRequest, resource: KubeObject, namespaceLabels: Readonly<Record<string, string>> | undefined): PolicyRequest {
  const sub = req.subResource ? { parentGroup: req.kind.group, parentVersion: req.kind.version, parentKind: req.kind.kind, name: req.subResource } : undefined;
  return {
    resource: { ...resource, kind: resource.kind ?? req.kind.kind } as KubeObject,
    ...(req.oldObject ? { oldResource: req.oldObject as KubeObject } : {}),
    operation: req.operation,
    user: { ...(req.userInfo.username ? { username: req.userInfo.username } : {}), ...(req.userInfo.uid ? { uid: req.userInfo.uid } : {}), groups: req.userInfo.groups ?? [] },
    ...(namespaceLabels ? { namespaceLabels } : {}),
    ...(sub ? { subresource: sub } : {}),
  };
}

function decide(uid: string, results: readonly RuleResult[], policies: readonly Policy[]): AdmissionResponse {
  const ignoresErrors = new Set(policies.filter((p) => String(p.document.spec.failurePolicy ?? 'Fail') === 'Ignore').map((p) => p.key));
  const blocking: RuleResult[] = [];
  const warnings: string[] = [];
  for (const r of results) {
    if (r.status !== 'fail' && r.status !== 'error' && r.status !== 'warn') continue;
    const line = `${r.policy}/${r.rule}: ${r.message}`;
    const tolerated = r.status === 'warn' || r.failureAction === 'Audit' || (r.status === 'error' && ignoresErrors.has(r.policy));
    if (tolerated) warnings.push(line);
    else blocking.push(r);
  }
  const w = warnings.length > 0 ? { warnings: boundWarnings(warnings) } : {};
  if (blocking.length === 0) return { uid, allowed: true, ...w };
  const message = blocking.map((r) => `${r.policy}/${r.rule}: ${r.message}`).join('\n');
  return { uid, allowed: false, status: { code: 403, message: message.slice(0, 4096) }, ...w };
}

function patchFor(req: AdmissionRequest, pins: ReadonlyMap<string, Digest>): Partial<AdmissionResponse> {
  if (!req.object || req.operation === 'DELETE') return {};
  const ops = digestPatch(req.object as Record<string, unknown>, pins);
  if (ops.length === 0) return {};
  return { patch: Buffer.from(JSON.stringify(ops)).toString('base64'), patchType: 'JSONPatch' };
}
