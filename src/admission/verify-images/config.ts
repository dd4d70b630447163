import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { BosunError } from '../../errors.js';
import type { Conditions } from '../../policy/model.js';
import { conditionsSchema } from '../../policy/model.js';
import type { IdentityPolicy, Matcher } from '../../sign/index.js';
import { compileAnchored, parsePublicKey } from '../../sign/index.js';

// Kyverno's `verifyImages` entry (kyverno.io/v1 ImageVerification), the fields bosun acts on.
// Unknown fields are kept (loose) so newer policies still parse; unsupported ones are refused
// below by name rather than ignored, because ignoring a trust setting would weaken it.
const tlogSchema = z.looseObject({ url: z.string().nullish(), pubkey: z.string().nullish(), ignoreTlog: z.boolean().nullish(), ignoreSCT: z.boolean().nullish() });
const keylessSchema = z.looseObject({
  subject: z.string().nullish(),
  issuer: z.string().nullish(),
  subjectRegExp: z.string().nullish(),
  issuerRegExp: z.string().nullish(),
  roots: z.string().nullish(),
  rekor: tlogSchema.nullish(),
  ctlog: tlogSchema.nullish(),
});
const attestorSchema = z.looseObject({
  keys: z.looseObject({ publicKeys: z.string().min(1), rekor: tlogSchema.nullish(), ctlog: tlogSchema.nullish() }).nullish(),
  keyless: keylessSchema.nullish(),
  certificates: z.unknown().optional(),
  attestor: z.unknown().optional(),
});
const attestorSetSchema = z.looseObject({ count: z.number().int().min(1).nullish(), entries: z.array(attestorSchema).min(1).max(32) });
const attestationSchema = z.looseObject({
  type: z.string().nullish(),
  predicateType: z.string().nullish(),
  attestors: z.array(attestorSetSchema).max(16).nullish(),
  conditions: z.array(conditionsSchema).max(64).nullish(),
});
const entrySchema = z.looseObject({
  type: z.string().nullish(),
  imageReferences: z.array(z.string()).min(1).max(256).nullish(),
  image: z.string().nullish(),
  skipImageReferences: z.array(z.string()).max(256).nullish(),
  attestors: z.array(attestorSetSchema).max(16).nullish(),
  attestations: z.array(attestationSchema).max(16).nullish(),
  mutateDigest: z.boolean().nullish(),
  verifyDigest: z.boolean().nullish(),
  required: z.boolean().nullish(),
  useCache: z.boolean().nullish(),
});

/** One way to trust a signature: a public key, or a keyless (Fulcio certificate) identity. */
export type Attestor = { readonly kind: 'key'; readonly key: KeyObject; readonly id: string } | { readonly kind: 'keyless'; readonly identity: IdentityPolicy; readonly id: string };

/** `count` of `attestors` must verify (all of them when Kyverno's `count` is absent). */
export interface AttestorSet {
  readonly count: number;
  readonly attestors: readonly Attestor[];
}

export interface AttestationCheck {
  readonly predicateType: string;
  readonly attestorSets: readonly AttestorSet[];
  readonly conditions: readonly Conditions[];
}

/** A parsed `verifyImages` entry; `id` is stable for equal trust settings (the cache key part). */
export interface VerifyImagesEntry {
  readonly imageReferences: readonly string[];
  readonly skipImageReferences: readonly string[];
  readonly attestorSets: readonly AttestorSet[];
  readonly attestations: readonly AttestationCheck[];
  readonly mutateDigest: boolean;
  readonly verifyDigest: boolean;
  readonly required: boolean;
  readonly useCache: boolean;
}

const parsed = new WeakMap<object, readonly VerifyImagesEntry[]>();

/**
 * Parses a rule's `verifyImages` list (memoised per policy object, so keys are parsed once).
 * Throws POLICY_INVALID naming the field for anything malformed or unsupported (Notary, inline
 * `roots`, `certificates`, nested `attestor`): such a rule evaluates to `error`, never `pass`.
 */
export function parseVerifyImages(raw: unknown): readonly VerifyImagesEntry[] {
  if (typeof raw === 'object' && raw !== null) {
    const hit = parsed.get(raw);
    if (hit) return hit;
  }
  const list = z.array(entrySchema).max(64).safeParse(raw);
  if (!list.success) throw new BosunError('POLICY_INVALID', `verifyImages: ${list.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const out = list.data.map((e, i) => toEntry(e, `verifyImages[${i}]`));
  if (typeof raw === 'object' && raw !== null) parsed.set(raw, out);
  return out;
}

function toEntry(e: z.infer<typeof entrySchema>, at: string): VerifyImagesEntry {
  if (e.type && e.type !== 'Cosign') throw new BosunError('POLICY_INVALID', `${at}.type: '${e.type}' is not supported (only Cosign)`);
  const refs = e.imageReferences ?? (e.image ? [e.image] : []);
  if (refs.length === 0) throw new BosunError('POLICY_INVALID', `${at}: imageReferences is required`);
  const attestorSets = (e.attestors ?? []).map((s, j) => toSet(s, `${at}.attestors[${j}]`));
  const attestations = (e.attestations ?? []).map((a, j): AttestationCheck => {
    const predicateType = a.predicateType ?? a.type;
    if (!predicateType) throw new BosunError('POLICY_INVALID', `${at}.attestations[${j}]: predicateType (or type) is required`);
    const sets = (a.attestors ?? []).map((s, k) => toSet(s, `${at}.attestations[${j}].attestors[${k}]`));
    return { predicateType, attestorSets: sets.length > 0 ? sets : attestorSets, conditions: a.conditions ?? [] };
  });
  if (attestorSets.length === 0 && attestations.length === 0) throw new BosunError('POLICY_INVALID', `${at}: needs attestors or attestations`);
  if (attestations.some((a) => a.attestorSets.length === 0)) throw new BosunError('POLICY_INVALID', `${at}: an attestation has no attestors`);
  return {
    imageReferences: refs,
    skipImageReferences: e.skipImageReferences ?? [],
    attestorSets,
    attestations,
    mutateDigest: e.mutateDigest ?? true,
    verifyDigest: e.verifyDigest ?? true,
    required: e.required ?? true,
    useCache: e.useCache ?? true,
  };
}

function toSet(s: z.infer<typeof attestorSetSchema>, at: string): AttestorSet {
  const attestors = s.entries.flatMap((a, i) => toAttestors(a, `${at}.entries[${i}]`));
  const count = s.count ?? attestors.length;
  if (count > attestors.length) throw new BosunError('POLICY_INVALID', `${at}.count: ${count} is more than the ${attestors.length} attestors`);
  return { count, attestors };
}

function toAttestors(a: z.infer<typeof attestorSchema>, at: string): Attestor[] {
  if (a.certificates !== undefined || a.attestor !== undefined) throw new BosunError('POLICY_INVALID', `${at}: 'certificates' and nested 'attestor' entries are not supported`);
  if (a.keys && a.keyless) throw new BosunError('POLICY_INVALID', `${at}: give keys or keyless, not both`);
  if (a.keys) return pemBlocks(a.keys.publicKeys, at).map((pem, i) => ({ kind: 'key', key: parsePublicKey(pem, `${at}.keys.publicKeys`), id: `key:${i}:${pem}` }));
  if (a.keyless) return [keyless(a.keyless, at)];
  throw new BosunError('POLICY_INVALID', `${at}: needs keys or keyless`);
}

// Kyverno accepts several PEM keys in one publicKeys string; each becomes its own attestor.
function pemBlocks(text: string, at: string): string[] {
  const blocks = text.match(/-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g) ?? [];
  if (blocks.length === 0) throw new BosunError('POLICY_INVALID', `${at}.keys.publicKeys: no PEM block (secret/KMS references are not supported)`);
  return blocks;
}

function keyless(k: z.infer<typeof keylessSchema>, at: string): Attestor {
  if (k.roots) throw new BosunError('POLICY_INVALID', `${at}.keyless.roots: custom roots are not supported; give the server a trusted root (--trusted-root)`);
  const subject = matcher(k.subject, k.subjectRegExp, `${at}.keyless.subject`);
  const issuer = matcher(k.issuer, k.issuerRegExp, `${at}.keyless.issuer`);
  return { kind: 'keyless', identity: { subject, issuer }, id: `keyless:${JSON.stringify([subject, issuer])}` };
}

// Kyverno's subject/issuer are wildcard patterns (`https://github.com/org/*`); the *RegExp forms
// are regular expressions, which bosun anchors (see compileAnchored) so a prefix cannot match.
function matcher(glob: string | null | undefined, re: string | null | undefined, at: string): Matcher {
  if (glob && re) throw new BosunError('POLICY_INVALID', `${at}: give the value or the RegExp, not both`);
  if (re) {
    compileAnchored(re);
    return { kind: 'regexp', pattern: re };
  }
  if (!glob) throw new BosunError('POLICY_INVALID', `${at}: is required`);
  if (!/[*?]/.test(glob)) return { kind: 'exact', value: glob };
  const pattern = glob.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return { kind: 'regexp', pattern };
}
