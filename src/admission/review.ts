import { z } from 'zod';
import { BosunError } from '../errors.js';

// admission.k8s.io/v1 AdmissionReview, the fields bosun reads. Objects stay loose (any kind).
const kubeObject = z.looseObject({ apiVersion: z.string().optional(), kind: z.string().optional(), metadata: z.looseObject({}).optional() });
const gvk = z.object({ group: z.string(), version: z.string(), kind: z.string() });
const requestSchema = z.looseObject({
  uid: z.string().min(1).max(128),
  kind: gvk,
  resource: z.object({ group: z.string(), version: z.string(), resource: z.string() }),
  subResource: z.string().optional(),
  requestKind: gvk.optional(),
  name: z.string().optional(),
  namespace: z.string().optional(),
  operation: z.enum(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']),
  userInfo: z.looseObject({ username: z.string().optional(), uid: z.string().optional(), groups: z.array(z.string()).optional() }),
  object: kubeObject.nullish(),
  oldObject: kubeObject.nullish(),
  dryRun: z.boolean().optional(),
});
const reviewSchema = z.looseObject({
  apiVersion: z.literal('admission.k8s.io/v1'),
  kind: z.literal('AdmissionReview'),
  request: requestSchema,
});

export type AdmissionRequest = z.infer<typeof requestSchema>;

/** The response half of an AdmissionReview (`uid` echoes the request). */
export interface AdmissionResponse {
  readonly uid: string;
  readonly allowed: boolean;
  readonly status?: { readonly code: number; readonly message: string };
  readonly warnings?: readonly string[];
  /** Base64 of a JSON Patch; set together with `patchType`. */
  readonly patch?: string;
  readonly patchType?: 'JSONPatch';
}

/** Parses a request body; throws ADMISSION_REVIEW_INVALID naming the first bad fields. */
export function parseReview(raw: unknown): AdmissionRequest {
  const r = reviewSchema.safeParse(raw);
  if (!r.success) throw new BosunError('ADMISSION_REVIEW_INVALID', `AdmissionReview: ${r.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data.request;
}

/** Wraps a response in an AdmissionReview envelope. */
export function reviewResponse(response: AdmissionResponse): Record<string, unknown> {
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}

// The API server shows `warnings` to users; it caps each at 120 characters and the count.
const maxWarnings = 32;
const maxWarningChars = 120;

/** Trims warnings to what the API server accepts. */
export function boundWarnings(warnings: readonly string[]): string[] {
  return warnings.slice(0, maxWarnings).map((w) => (w.length > maxWarningChars ? `${w.slice(0, maxWarningChars - 1)}…` : w));
}
