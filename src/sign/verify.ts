import { X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Bundle } from '@sigstore/bundle';
import type { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import type { SignedEntity, TrustMaterial } from '@sigstore/verify';
import { BosunError } from '../errors.js';
import type { ArtifactDigests, ArtifactInput } from './artifact.js';
import { digestArtifact } from './artifact.js';
import { DsseContent, MessageContent, messageDigestName } from './content.js';
import type { DsseCommitment } from './content.js';
import type { IdentityPolicy } from './identity.js';
import { checkIdentity } from './identity.js';
import { IN_TOTO_PAYLOAD_TYPE, hasSubject, parseStatement } from './intoto.js';
import type { Statement } from './intoto.js';

/** How to verify one bundle. Exactly one of `key` / `identity`. */
export interface VerifyBundleOptions {
  /** The artifact (file or sha256 digest). Required for message signatures; for DSSE it must be a statement subject. */
  readonly artifact?: ArtifactInput;
  /** Trust anchors. Required for keyless; with `key` and no root, tlog entries and timestamps are not checked. */
  readonly trustedRoot?: TrustedRoot;
  readonly key?: KeyObject;
  readonly identity?: IdentityPolicy;
}

/** What verified: the signer and, for DSSE bundles, the parsed in-toto statement. */
export interface VerifiedBundle {
  readonly kind: 'key' | 'certificate';
  readonly subject?: string;
  readonly issuer?: string;
  readonly statement?: Statement;
  /** False when key mode ran without a trusted root, so log entries and timestamps went unchecked. */
  readonly transparencyChecked: boolean;
}

/**
 * Verifies a Sigstore bundle with @sigstore/verify and bosun's additions: the artifact is
 * hashed by bosun (streaming; `sha256:` digests supported), DSSE payloads must be in-toto
 * statements naming the artifact, Rekor v2 hashedrekord-over-DSSE entries are understood, and
 * identities are matched with anchored regexps. Without `artifact`, a DSSE bundle's subjects
 * are NOT checked: the caller must run `checkStatement` on the returned statement. Throws
 * SIGN_VERIFY_FAILED, SIGN_IDENTITY_MISMATCH, SIGN_SUBJECT_MISMATCH, SIGN_STATEMENT_INVALID,
 * SIGN_BUNDLE_INVALID, SIGN_TRUSTED_ROOT_INVALID, INPUT_INVALID (mode flags), SIGN_KEY_UNSUPPORTED.
 */
export async function verifyBundle(bundle: Bundle, opts: VerifyBundleOptions): Promise<VerifiedBundle> {
  if ((opts.key === undefined) === (opts.identity === undefined)) throw new BosunError('INPUT_INVALID', 'verify with either a public key or a certificate identity policy, not both or neither');
  if (opts.identity && !opts.trustedRoot) throw new BosunError('INPUT_INVALID', 'keyless verification needs a trusted root (--trusted-root trusted_root.json)');
  const certKey = bundleCertificateKey(bundle);
  if (opts.key && certKey) throw new BosunError('SIGN_VERIFY_FAILED', 'bundle carries a certificate but a public key was given; verify it with --certificate-identity');
  if (opts.identity && !certKey) throw new BosunError('SIGN_VERIFY_FAILED', 'bundle is signed with a key, not a certificate; verify it with --key');
  const signerKey = (opts.key ?? certKey) as KeyObject;
  // Only message signatures need the artifact bytes, and only for keys that cannot verify a
  // pre-hashed digest (Ed25519, RSA); DSSE bundles only compare subject digests.
  const needBytes = bundle.content.$case === 'messageSignature' && signerKey.asymmetricKeyType !== 'ec';
  const digests = opts.artifact ? await digestArtifact(opts.artifact, needBytes) : undefined;
  const entity = toEntity(bundle, digests, opts);
  const signer = runVerifier(entity, trustMaterial(opts), opts);
  const identity = { subject: signer.identity?.subjectAlternativeName, issuer: signer.identity?.extensions?.issuer };
  if (opts.identity) checkIdentity(opts.identity, identity);
  const statement = bundle.content.$case === 'dsseEnvelope' ? checkDssePayload(bundle.content.dsseEnvelope, digests) : undefined;
  return {
    kind: certKey ? 'certificate' : 'key',
    ...(identity.subject === undefined ? {} : { subject: identity.subject }),
    ...(identity.issuer === undefined ? {} : { issuer: identity.issuer }),
    ...(statement ? { statement } : {}),
    transparencyChecked: opts.trustedRoot !== undefined,
  };
}

function bundleCertificateKey(bundle: Bundle): KeyObject | undefined {
  const vm = bundle.verificationMaterial.content;
  const raw = vm.$case === 'certificate' ? vm.certificate.rawBytes : vm.$case === 'x509CertificateChain' ? vm.x509CertificateChain.certificates[0]?.rawBytes : undefined;
  if (vm.$case !== 'publicKey' && raw === undefined) throw new BosunError('SIGN_BUNDLE_INVALID', 'bundle has an empty certificate chain');
  if (raw === undefined) return undefined;
  try {
    return new X509Certificate(Buffer.from(raw)).publicKey;
  } catch (err) {
    throw new BosunError('SIGN_BUNDLE_INVALID', 'bundle certificate is not valid X.509', { cause: err });
  }
}

function toEntity(bundle: Bundle, digests: ArtifactDigests | undefined, opts: VerifyBundleOptions): SignedEntity {
  let entity: SignedEntity;
  try {
    entity = toSignedEntity(bundle);
  } catch (err) {
    throw new BosunError('SIGN_BUNDLE_INVALID', `bundle cannot be read: ${(err as Error).message}`, { cause: err });
  }
  if (!opts.trustedRoot) entity = { ...entity, tlogEntries: [], timestamps: [] };
  return { ...entity, signature: signatureContent(bundle, digests) };
}

function signatureContent(bundle: Bundle, digests: ArtifactDigests | undefined): SignedEntity['signature'] {
  const content = bundle.content;
  if (content.$case === 'dsseEnvelope') {
    if (content.dsseEnvelope.signatures.length !== 1) throw new BosunError('SIGN_BUNDLE_INVALID', `bundle DSSE envelope must have exactly one signature, not ${content.dsseEnvelope.signatures.length}`);
    return new DsseContent(content.dsseEnvelope, dsseCommitment(bundle));
  }
  if (!digests) throw new BosunError('INPUT_INVALID', 'a message-signature bundle needs the artifact (file or sha256: digest) to verify');
  const hashName = messageDigestName(content.messageSignature);
  if (!hashName || !digests[hashName]) throw new BosunError('SIGN_VERIFY_FAILED', 'bundle message digest uses a hash bosun cannot check against this artifact input');
  return new MessageContent(content.messageSignature, hashName, digests);
}

/** All DSSE tlog entries must commit the same way; a mix is refused rather than guessed at. */
function dsseCommitment(bundle: Bundle): DsseCommitment {
  const kinds = new Set(bundle.verificationMaterial.tlogEntries.map((e) => `${e.kindVersion?.kind}/${e.kindVersion?.version}`));
  if (kinds.size === 0) return 'payload';
  if (kinds.size === 1 && kinds.has('hashedrekord/0.0.2')) return 'pae';
  if ([...kinds].some((k) => k.startsWith('hashedrekord/'))) throw new BosunError('SIGN_BUNDLE_INVALID', `DSSE bundle mixes or misuses log entry kinds: ${[...kinds].join(', ')}`);
  return 'payload';
}

// Building trust material parses every certificate and key of the root; a server verifies
// thousands of bundles against the same root object (and key), so it is built once per pair.
const materials = new WeakMap<TrustedRoot, WeakMap<KeyObject | typeof noKey, TrustMaterial>>();
const noKey = {};
const emptyRoot: TrustedRoot = { mediaType: '', tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] };

function trustMaterial(opts: VerifyBundleOptions): TrustMaterial {
  const root = opts.trustedRoot ?? emptyRoot;
  const key = opts.key;
  let byKey = materials.get(root);
  if (!byKey) materials.set(root, (byKey = new WeakMap()));
  const found = byKey.get(key ?? noKey);
  if (found) return found;
  // cosign ignores the bundle's key hint: the key the user named is the only one that counts.
  const finder = key ? () => ({ publicKey: key, validFor: () => true }) : undefined;
  let material: TrustMaterial;
  try {
    material = toTrustMaterial(root, finder);
  } catch (err) {
    throw new BosunError('SIGN_TRUSTED_ROOT_INVALID', `trusted root cannot be used: ${(err as Error).message}`, { cause: err });
  }
  byKey.set(key ?? noKey, material);
  return material;
}

function runVerifier(entity: SignedEntity, trust: TrustMaterial, opts: VerifyBundleOptions): ReturnType<Verifier['verify']> {
  const checked = opts.trustedRoot !== undefined;
  const verifier = new Verifier(trust, { tlogThreshold: checked ? 1 : 0, timestampThreshold: checked ? 1 : 0, ctlogThreshold: opts.key ? 0 : 1 });
  try {
    return verifier.verify(entity);
  } catch (err) {
    if (err instanceof BosunError) throw err;
    throw new BosunError('SIGN_VERIFY_FAILED', `bundle does not verify: ${(err as Error).message}`, { cause: err });
  }
}

function checkDssePayload(env: { payloadType: string; payload: Buffer }, digests: ArtifactDigests | undefined): Statement | undefined {
  if (env.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    if (digests) throw new BosunError('SIGN_STATEMENT_INVALID', `DSSE payloadType '${env.payloadType}' is not an in-toto statement, so it cannot name the artifact`);
    return undefined;
  }
  const statement = parseStatement(env.payload);
  if (digests) {
    const found = hasSubject(statement, `sha256:${digests.sha256.toString('hex')}`) || (digests.sha512 !== undefined && hasSubject(statement, `sha512:${digests.sha512.toString('hex')}`));
    if (!found) throw new BosunError('SIGN_SUBJECT_MISMATCH', 'the in-toto statement does not name the artifact as a subject');
  }
  return statement;
}
