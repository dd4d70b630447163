import { BosunError } from '../errors.js';
import { isDigest, type Digest } from '../oci/digest.js';

// spec: distribution-spec spec.md, "Pulling manifests" (name and tag grammar)
const namePattern = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const tagPattern = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
const uploadIdPattern = /^[a-f0-9]{32}$/;

/** Longest repository name accepted (distribution's limit). */
export const maxNameLength = 255;

/**
 * Validates a repository name exactly as it appeared in the URL (not percent-decoded), so
 * `..`, `%2e%2e`, empty components and anything outside the grammar fail: storage keys are
 * built only from names that passed here. Throws REGISTRY_SERVE_NAME_INVALID.
 */
export function parseName(raw: string): string {
  if (raw.length > maxNameLength || !namePattern.test(raw)) {
    throw new BosunError('REGISTRY_SERVE_NAME_INVALID', `invalid repository name "${raw.slice(0, 300)}"`);
  }
  return raw;
}

export function isTag(s: string): boolean {
  return tagPattern.test(s);
}

/** Validates a tag; throws REGISTRY_SERVE_TAG_INVALID. */
export function parseTag(raw: string): string {
  if (!tagPattern.test(raw)) throw new BosunError('REGISTRY_SERVE_TAG_INVALID', `invalid tag "${raw.slice(0, 140)}"`);
  return raw;
}

/** Validates a digest from a URL or query; throws REGISTRY_SERVE_DIGEST_INVALID. */
export function parseDigestParam(raw: string | undefined): Digest {
  if (raw === undefined || !isDigest(raw)) {
    throw new BosunError('REGISTRY_SERVE_DIGEST_INVALID', `invalid digest "${(raw ?? '').slice(0, 140)}"`);
  }
  return raw;
}

export type Reference = { kind: 'tag'; tag: string } | { kind: 'digest'; digest: Digest };

/**
 * A manifest reference: a digest when it contains ':', else a tag. A malformed digest is
 * DIGEST_INVALID and a malformed tag TAG_INVALID (the codes distribution answers).
 */
export function parseReference(raw: string): Reference {
  if (raw.includes(':')) return { kind: 'digest', digest: parseDigestParam(raw) };
  return { kind: 'tag', tag: parseTag(raw) };
}

/**
 * A reference to read (GET/HEAD): as parseReference, except that a malformed tag is
 * MANIFEST_UNKNOWN (404), since nothing can be stored under it. Distribution answers 404 there
 * and the distribution-spec conformance suite requires it; a malformed digest stays 400.
 */
export function parseReadReference(raw: string): Reference {
  if (!raw.includes(':') && !isTag(raw)) throw new BosunError('REGISTRY_SERVE_MANIFEST_UNKNOWN', `no manifest "${raw.slice(0, 140)}"`);
  return parseReference(raw);
}

/** Upload session ids are 128 random bits in lowercase hex; throws REGISTRY_SERVE_BLOB_UPLOAD_INVALID. */
export function parseUploadId(raw: string): string {
  if (!uploadIdPattern.test(raw)) {
    throw new BosunError('REGISTRY_SERVE_BLOB_UPLOAD_INVALID', `invalid upload id "${raw.slice(0, 80)}"`);
  }
  return raw;
}
