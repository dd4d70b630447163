import { createHash } from 'node:crypto';
import type { TrustedRoot } from '@sigstore/protobuf-specs';
import { BosunError, isBosunError } from '../../errors.js';
import type { Digest } from '../../oci/digest.js';
import { formatReference, parseReference, type Reference } from '../../oci/reference.js';
import { evaluateConditions } from '../../policy/conditions.js';
import type { ImageVerifier } from '../../policy/index.js';
import { matchWildcard } from '../../policy/wildcard.js';
import type { ImageTrustPolicy } from '../../sign/index.js';
import type { AttachmentKind, Attachments, VerificationCache } from '../../sign/oci/index.js';
import { verifyAttached } from '../../sign/oci/index.js';
import type { AttestationCheck, Attestor, AttestorSet, VerifyImagesEntry } from './config.js';
import { parseVerifyImages } from './config.js';
import type { SignatureSource } from './signatures.js';

/** What verified attestor sets yield: the predicates of verified statements (attestations only). */
export interface Verified {
  readonly predicates: readonly unknown[];
}

/** Shared across requests: where signatures and digests come from, the cache, keyless trust. */
export interface VerifierDeps {
  readonly signatures: SignatureSource;
  /** Successful verifications by (repository, digest, kind, predicate type, attestor set); the cache type `bosun verify` uses. */
  readonly cache: VerificationCache<Verified>;
  /** Sigstore trusted root for keyless attestors; keyless entries fail without one. */
  readonly trustedRoot?: TrustedRoot;
}

/** One image the request's verifyImages rules looked at. */
export interface ImageRecord {
  readonly image: string;
  readonly digest?: Digest;
  readonly verified: boolean;
}

/** A verifier for ONE admission request, plus what it learned (digests to pin, images seen). */
export interface RequestVerifier {
  readonly verifier: ImageVerifier;
  /** Image reference as written (normalised) → the digest that was verified, for mutateDigest. */
  readonly pins: ReadonlyMap<string, Digest>;
  images(): ImageRecord[];
}

type Check = { readonly ok: true } | { readonly ok: false; readonly message: string };

class VerificationFailed extends Error {}

/**
 * Builds the per-request verifier. Every tag is resolved to a digest at most once per request and
 * that digest is what gets verified and pinned, so a registry that answers differently on a
 * second lookup cannot swap the image (CVE-2022-47633, CVE-2023-47630). Signature checks are
 * cached by (digest, trust settings); attestation `conditions` are evaluated on every request.
 * With `mutate` false (the validating webhook) a tag-only image fails `verifyDigest`.
 */
export function requestVerifier(deps: VerifierDeps, opts: { readonly mutate: boolean }): RequestVerifier {
  const resolved = new Map<string, Promise<Digest>>();
  const material = new Map<string, Promise<Attachments>>();
  const pins = new Map<string, Digest>();
  const records = new Map<string, ImageRecord>();

  const digestOf = (ref: Reference, signal?: AbortSignal): Promise<Digest> => {
    if (ref.digest) return Promise.resolve(ref.digest);
    const key = formatReference(ref);
    let p = resolved.get(key);
    if (!p) resolved.set(key, (p = deps.signatures.resolve(ref, signal)));
    return p;
  };
  const find = (ref: Reference, digest: Digest, kind: AttachmentKind, signal?: AbortSignal): Promise<Attachments> => {
    const key = `${ref.registry}/${ref.repository}@${digest}.${kind}`;
    let p = material.get(key);
    if (!p) material.set(key, (p = deps.signatures.find(ref, digest, kind, signal)));
    return p;
  };

  async function checkImage(entry: VerifyImagesEntry, image: string, signal?: AbortSignal): Promise<Check> {
    const ref = parseReference(image);
    const canPin = opts.mutate && entry.mutateDigest;
    if (!ref.digest && entry.verifyDigest && !canPin) return { ok: false, message: `image '${image}' is not pinned by digest (verifyDigest)` };
    const digest = await digestOf(ref, signal);
    const ctx = { ref, digest, entry, signal };
    for (const set of entry.attestorSets) {
      const r = await checkSet(ctx, set, undefined);
      if (!r.ok) return r;
    }
    for (const att of entry.attestations) {
      const r = await checkAttestation(ctx, att);
      if (!r.ok) return r;
    }
    if (canPin && !ref.digest) pins.set(image, digest);
    return { ok: true };
  }

  interface Ctx { ref: Reference; digest: Digest; entry: VerifyImagesEntry; signal: AbortSignal | undefined }

  async function verifiedSet(c: Ctx, set: AttestorSet, predicateType: string | undefined): Promise<Verified> {
    const compute = async (): Promise<Verified> => {
      const found = await find(c.ref, c.digest, predicateType ? 'attestation' : 'signature', c.signal);
      if (found.material.length === 0 && found.unreadable.length === 0) throw new VerificationFailed(`no ${predicateType ? `'${predicateType}' attestations` : 'signatures'} found for ${c.digest}`);
      return verifyAgainstSet(found, `${c.ref.registry}/${c.ref.repository}`, c.digest, set, predicateType, deps.trustedRoot);
    };
    if (!c.entry.useCache) return compute();
    // The repository is part of the key: signatures live beside the image, so the same digest
    // signed in one repository must not make a copy in another pass from the cache.
    const key = `${c.ref.registry}/${c.ref.repository}@${c.digest}|${predicateType ?? 'sig'}|${setId(set)}`;
    return deps.cache.getOrCompute(key, compute, { signal: c.signal });
  }

  async function checkSet(c: Ctx, set: AttestorSet, predicateType: string | undefined): Promise<Check & { verified?: Verified }> {
    try {
      return { ok: true, verified: await verifiedSet(c, set, predicateType) };
    } catch (err) {
      if (!(err instanceof VerificationFailed)) throw err;
      if (!c.entry.required && err.message.startsWith('no ')) return { ok: true, verified: { predicates: [] } };
      return { ok: false, message: `image '${formatReference(c.ref)}' (${c.digest}): ${err.message}` };
    }
  }

  async function checkAttestation(c: Ctx, att: AttestationCheck): Promise<Check> {
    for (const set of att.attestorSets) {
      const r = await checkSet(c, set, att.predicateType);
      if (!r.ok) return r;
      // Conditions run on every request, cached or not (kyverno#17173): policy time checks move on.
      for (const predicate of r.verified?.predicates ?? []) {
        for (const conds of att.conditions) {
          const res = evaluateConditions(conds, { data: predicate });
          if (!res.ok) throw new BosunError('POLICY_INVALID', `attestation conditions: ${res.error}`);
          if (!res.passed) return { ok: false, message: `image '${formatReference(c.ref)}' (${c.digest}): '${att.predicateType}' attestation conditions not met${res.message ? `: ${res.message}` : ''}` };
        }
      }
    }
    return { ok: true };
  }

  const verifier: ImageVerifier = {
    async verify({ rule, images, signal }) {
      const entries = parseVerifyImages(rule);
      const failures: string[] = [];
      let checked = 0;
      for (const entry of entries) {
        for (const image of new Set(images)) {
          if (!selects(entry, image)) continue;
          checked++;
          const r = await checkImage(entry, image, signal);
          const digest = parseReference(image).digest ?? (await resolved.get(formatReference(parseReference(image))));
          const prev = records.get(image);
          records.set(image, { image, ...(digest ? { digest } : {}), verified: r.ok && (prev?.verified ?? true) });
          if (!r.ok) failures.push(r.message);
        }
      }
      if (failures.length > 0) return { ok: false, message: failures.join('; ') };
      return { ok: true, message: checked === 0 ? 'no image matched imageReferences' : `${checked} image check(s) verified` };
    },
  };
  return { verifier, pins, images: () => [...records.values()] };
}

function selects(entry: VerifyImagesEntry, image: string): boolean {
  return entry.imageReferences.some((g) => matchWildcard(g, image)) && !entry.skipImageReferences.some((g) => matchWildcard(g, image));
}

const setIds = new WeakMap<AttestorSet, string>();

// Attestor sets are parsed once per policy (parseVerifyImages), so their hash is memoised too.
function setId(set: AttestorSet): string {
  let id = setIds.get(set);
  if (!id) setIds.set(set, (id = createHash('sha256').update(JSON.stringify([set.count, set.attestors.map((a) => a.id)])).digest('hex').slice(0, 32)));
  return id;
}

async function verifyAgainstSet(found: Attachments, name: string, digest: Digest, set: AttestorSet, predicateType: string | undefined, trustedRoot: TrustedRoot | undefined): Promise<Verified> {
  const predicates: unknown[] = [];
  const reasons: string[] = [];
  let passed = 0;
  for (const attestor of set.attestors) {
    try {
      const policy = trustFor(attestor, trustedRoot);
      const report = await verifyAttached(name, digest, found, policy, predicateType ? { kind: 'attestation', predicateType } : { kind: 'signature' });
      if (predicateType) for (const item of report.verified) predicates.push((item.payload as { predicate?: unknown }).predicate ?? {});
      passed++;
    } catch (err) {
      if (!isBosunError(err) || !(err.code.startsWith('SIGN_') || err.code === 'LIMIT_EXCEEDED')) throw err;
      reasons.push(`${attestor.kind === 'key' ? 'key' : 'keyless'} attestor: ${err.code}`);
    }
    if (passed >= set.count) return { predicates };
  }
  throw new VerificationFailed(`${passed} of the required ${set.count} attestor(s) verified (${reasons.join(', ')})`);
}

function trustFor(a: Attestor, trustedRoot: TrustedRoot | undefined): ImageTrustPolicy {
  if (a.kind === 'key') return { key: a.key };
  if (!trustedRoot) throw new BosunError('SIGN_TRUSTED_ROOT_INVALID', 'keyless attestors need a trusted root (--trusted-root)');
  return { identity: a.identity, trustedRoot };
}
