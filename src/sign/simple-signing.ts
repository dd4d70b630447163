import { z } from 'zod';
import { BosunError } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import { isDigest } from '../oci/digest.js';

// spec: containers/image docs/containers-signature.5.md ("simple signing"), as cosign writes it.
const schema = z.object({
  critical: z.object({
    identity: z.object({ 'docker-reference': z.string().max(4096) }),
    image: z.object({ 'docker-manifest-digest': z.string().max(256) }),
    type: z.literal('cosign container image signature'),
  }),
  optional: z.record(z.string(), z.unknown()).nullable().optional(),
});

/** A parsed cosign simple-signing payload. */
export interface SimpleSigning {
  readonly dockerReference: string;
  readonly manifestDigest: Digest;
  readonly optional: Readonly<Record<string, unknown>>;
}

/** Parses a simple-signing payload. Throws SIGN_STATEMENT_INVALID when it is malformed. */
export function parseSimpleSigning(payload: Uint8Array): SimpleSigning {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch (err) {
    throw new BosunError('SIGN_STATEMENT_INVALID', 'cosign signature payload is not JSON', { cause: err });
  }
  const parsed = schema.safeParse(json);
  const digest = parsed.data?.critical.image['docker-manifest-digest'];
  if (!parsed.success || digest === undefined || !isDigest(digest)) {
    throw new BosunError('SIGN_STATEMENT_INVALID', 'cosign signature payload is not a simple-signing document', parsed.success ? {} : { cause: parsed.error });
  }
  return { dockerReference: parsed.data.critical.identity['docker-reference'], manifestDigest: digest, optional: parsed.data.optional ?? {} };
}

/** Builds the payload cosign signs for an image: the repository (no tag) and manifest digest. */
export function buildSimpleSigning(repository: string, digest: Digest, optional?: Record<string, string>): Buffer {
  const doc = {
    critical: { identity: { 'docker-reference': repository }, image: { 'docker-manifest-digest': digest }, type: 'cosign container image signature' },
    optional: optional ?? null,
  };
  return Buffer.from(JSON.stringify(doc), 'utf8');
}
