import type { AdmissionHandler } from '../handler.js';
import type { PolicyReportSink } from '../reports.js';

/**
 * Records each validate decision's results in the PolicyReport sink. Dry-run requests and
 * mutate decisions (a subset of the validate results) are not recorded.
 */
export function withPolicyReports(inner: AdmissionHandler, sink: PolicyReportSink): AdmissionHandler {
  return async (req, signal) => {
    const d = await inner(req, signal);
    if (req.dryRun !== true && d.details?.endpoint === 'validate' && d.details.results.length > 0) {
      const obj = (req.object ?? req.oldObject ?? {}) as { apiVersion?: string; metadata?: { name?: string; uid?: string } };
      sink.record({
        apiVersion: obj.apiVersion ?? `${req.kind.group ? `${req.kind.group}/` : ''}${req.kind.version}`,
        kind: req.kind.kind,
        namespace: req.namespace ?? '',
        name: req.name || obj.metadata?.name || '',
        ...(obj.metadata?.uid ? { uid: obj.metadata.uid } : {}),
      }, d.details.results, d.details.exceptions);
    }
    return d;
  };
}
