import { z } from 'zod';
import { BosunError } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import { algorithmOf, hexOf } from '../oci/digest.js';
import { signLimits } from './limits.js';

/** DSSE payloadType of in-toto statements. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
/** Statement `_type` bosun writes; v0.1 (what cosign still writes) is accepted on read. */
export const STATEMENT_V1 = 'https://in-toto.io/Statement/v1';
export const STATEMENT_V01 = 'https://in-toto.io/Statement/v0.1';

/**
 * cosign's `--type` shorthands and the predicateType URIs they stand for (cosign
 * `pkg/cosign/attestation` and `cmd/cosign/cli/options/predicate.go`). `slsaprovenance` is v0.2.
 */
export const predicateTypes = {
  custom: 'https://cosign.sigstore.dev/attestation/v1',
  slsaprovenance: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance02: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance1: 'https://slsa.dev/provenance/v1',
  spdx: 'https://spdx.dev/Document',
  spdxjson: 'https://spdx.dev/Document',
  cyclonedx: 'https://cyclonedx.org/bom',
  link: 'https://in-toto.io/Link/v1',
  vuln: 'https://cosign.sigstore.dev/attestation/vuln/v1',
  openvex: 'https://openvex.dev/ns',
} as const;

/**
 * Maps a `--type` value to a predicateType URI: a cosign shorthand, else an absolute URI used
 * as is (as cosign does). Throws INPUT_INVALID for anything else.
 */
export function predicateTypeFor(type: string): string {
  if (Object.hasOwn(predicateTypes, type)) return predicateTypes[type as keyof typeof predicateTypes];
  if (URL.canParse(type) && /^[a-z][a-z0-9+.-]*:/i.test(type)) return type;
  throw new BosunError('INPUT_INVALID', `predicate type '${type}' is neither a cosign type (${Object.keys(predicateTypes).join(', ')}) nor a URI`);
}

const hexDigest = z.string().regex(/^[0-9a-fA-F]{1,256}$/);
const statementSchema = z.object({
  _type: z.enum([STATEMENT_V1, STATEMENT_V01]),
  subject: z
    .array(z.object({ name: z.string().max(4096).optional(), digest: z.record(z.string().min(1).max(64), hexDigest) }))
    .min(1)
    .max(signLimits.subjects),
  predicateType: z.string().min(1).max(2048),
  predicate: z.record(z.string(), z.unknown()).optional(),
});

/** An in-toto Statement (v1 or v0.1). spec: in-toto/attestation spec/v1/statement.md */
export type Statement = z.infer<typeof statementSchema>;

/** One statement subject: a name and its digests keyed by algorithm (`sha256`, `sha512`…). */
export interface Subject {
  readonly name: string;
  readonly digest: Digest;
}

/** Builds a v1 statement about `subjects`. */
export function buildStatement(subjects: readonly Subject[], predicateType: string, predicate: Record<string, unknown>): Statement {
  return {
    _type: STATEMENT_V1,
    subject: subjects.map((s) => ({ name: s.name, digest: { [algorithmOf(s.digest)]: hexOf(s.digest) } })),
    predicateType,
    predicate,
  };
}

/** Parses a DSSE payload as a statement. Throws SIGN_STATEMENT_INVALID for anything malformed. */
export function parseStatement(payload: Uint8Array): Statement {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch (err) {
    throw new BosunError('SIGN_STATEMENT_INVALID', 'in-toto statement is not JSON', { cause: err });
  }
  const parsed = statementSchema.safeParse(json);
  if (!parsed.success) throw new BosunError('SIGN_STATEMENT_INVALID', 'payload is not a valid in-toto statement', { cause: parsed.error });
  return parsed.data;
}

/** True when some subject lists `digest` (algorithm and hex, hex compared case-insensitively). */
export function hasSubject(statement: Statement, digest: Digest): boolean {
  const alg = algorithmOf(digest);
  const hex = hexOf(digest).toLowerCase();
  return statement.subject.some((s) => s.digest[alg]?.toLowerCase() === hex);
}

/**
 * The checks callers forget: the statement must name `digest` as a subject
 * (SIGN_SUBJECT_MISMATCH) and, when `predicateType` is given, carry exactly that type
 * (SIGN_PREDICATE_TYPE_MISMATCH; no prefix or case folding).
 */
export function checkStatement(statement: Statement, want: { digest: Digest; predicateType?: string }): void {
  if (!hasSubject(statement, want.digest)) {
    throw new BosunError('SIGN_SUBJECT_MISMATCH', `statement subjects do not include ${want.digest}`);
  }
  if (want.predicateType !== undefined && statement.predicateType !== want.predicateType) {
    throw new BosunError('SIGN_PREDICATE_TYPE_MISMATCH', `statement predicateType '${statement.predicateType}' is not '${want.predicateType}'`);
  }
}
