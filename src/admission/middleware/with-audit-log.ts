import type { Logger } from 'pino';
import type { AuditLog } from '../audit-log.js';
import type { AdmissionDecision, AdmissionHandler } from '../handler.js';
import type { AdmissionRequest } from '../review.js';

/**
 * Writes one audit line per decision: request uid, user, resource, images and digests, policy
 * results and exceptions used. Dry-run requests are logged, marked `dryRun`, and have no other
 * side effect. A failing write is logged, never turned into a denial of an unrelated request.
 */
export function withAuditLog(inner: AdmissionHandler, log: AuditLog, logger?: Logger): AdmissionHandler {
  return async (req, signal) => {
    const decision = await inner(req, signal);
    await log.append(entryFor(req, decision)).catch((err: unknown) => logger?.error({ err, uid: req.uid }, 'audit log write failed'));
    for (const use of decision.details?.exceptions ?? []) {
      logger?.warn({ uid: req.uid, ...use, dryRun: req.dryRun === true }, 'policy exception used');
    }
    return decision;
  };
}

function entryFor(req: AdmissionRequest, d: AdmissionDecision): Parameters<AuditLog['append']>[0] {
  const obj = (req.object ?? req.oldObject ?? {}) as { metadata?: { name?: string; generateName?: string } };
  return {
    time: new Date().toISOString(),
    uid: req.uid,
    endpoint: d.details?.endpoint ?? 'unknown',
    dryRun: req.dryRun === true,
    user: req.userInfo.username ?? '',
    operation: req.operation,
    resource: { kind: req.kind.kind, namespace: req.namespace ?? '', name: req.name || obj.metadata?.name || obj.metadata?.generateName || '' },
    allowed: d.allowed,
    ...(d.status ? { message: d.status.message } : {}),
    images: d.details?.images ?? [],
    results: (d.details?.results ?? []).map((r) => ({ policy: r.policy, rule: r.rule, status: r.status, message: r.message })),
    exceptions: d.details?.exceptions ?? [],
  };
}
