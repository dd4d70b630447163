import { generateKeyPairSync, sign as signBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { BUNDLE_V03_MEDIA_TYPE } from '@sigstore/bundle';
import type { Bundle } from '@sigstore/bundle';
import type { TrustedRoot } from '@sigstore/protobuf-specs';
import { DSSEBundleBuilder, InternalError, MessageSignatureBundleBuilder, RekorWitness, TSAWitness } from '@sigstore/sign';
import type { BundleBuilder, Signature, Signer, Witness } from '@sigstore/sign';
import { BosunError, redactUrl } from '../../errors.js';
import type { ErrorCode } from '../../errors.js';
import type { ArtifactInput } from '../artifact.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../intoto.js';
import type { Statement } from '../intoto.js';
import { verifyBundle } from '../verify.js';
import { DEFAULT_FULCIO_URL, requestCertificate } from './fulcio.js';
import type { IssuedCertificate } from './fulcio.js';
import type { IdentityToken } from './token.js';

/** The public-good Rekor (cosign's default `--rekor-url`). */
export const DEFAULT_REKOR_URL = 'https://rekor.sigstore.dev';

/** Where to sign keylessly, and what to check the result against. */
export interface KeylessSignerOptions {
  /** A token `resolveIdentityToken` returned (already checked for shape and expiry). */
  readonly token: IdentityToken;
  /** Default `DEFAULT_FULCIO_URL`. */
  readonly fulcioUrl?: string;
  /** Default `DEFAULT_REKOR_URL`. */
  readonly rekorUrl?: string;
  /** An RFC 3161 TSA (`…/api/v1/timestamp` is appended by @sigstore/sign); none by default, as cosign. */
  readonly timestampServerUrl?: string;
  /**
   * When given, every bundle is verified against it (certificate chain, SCT, log entry,
   * timestamps, token issuer) before it is returned, so nothing the services got wrong is pushed.
   */
  readonly trustedRoot?: TrustedRoot;
  /** Per-request timeout for Rekor and the TSA (default 60 s). */
  readonly timeoutMs?: number;
}

/**
 * Signs through Sigstore's public-key infrastructure: an ephemeral ECDSA P-256 key, a Fulcio
 * certificate binding it to the OIDC identity, a Rekor entry per signature and, optionally, an
 * RFC 3161 timestamp. One certificate is requested per signer (lazily, on the first signature)
 * and reused for every signature it makes, as cosign does within one command; the private key
 * never leaves the process. Bundles are v0.3 with the leaf certificate only.
 */
export class KeylessSigner {
  readonly kind = 'keyless' as const;
  readonly token: IdentityToken;
  private readonly opts: KeylessSignerOptions;
  private readonly key: { readonly privateKey: KeyObject; readonly publicKey: KeyObject };
  private issued: Promise<IssuedCertificate> | undefined;

  constructor(opts: KeylessSignerOptions) {
    this.opts = opts;
    this.token = opts.token;
    this.key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  }

  /** The Fulcio certificate (requested on first use). Throws SIGN_KEYLESS_FULCIO_FAILED. */
  certificate(): Promise<IssuedCertificate> {
    this.issued ??= requestCertificate({
      fulcioUrl: this.opts.fulcioUrl ?? DEFAULT_FULCIO_URL,
      token: this.token.raw,
      publicKeyPem: this.key.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      proof: signBytes('sha256', Buffer.from(this.token.subject), this.key.privateKey),
    });
    return this.issued;
  }

  /**
   * A message-signature bundle over `data` (a `.sig` payload or a blob), with a Rekor
   * `hashedrekord` entry. Throws SIGN_KEYLESS_FULCIO_FAILED, SIGN_KEYLESS_REKOR_FAILED,
   * SIGN_KEYLESS_TSA_FAILED, SIGN_KEYLESS_UNTRUSTED.
   */
  async signMessage(data: Buffer): Promise<Bundle> {
    const built = await this.build(new MessageSignatureBundleBuilder({ signer: this.signer(), witnesses: this.witnesses() }), { data });
    const bundle = asV03(built);
    await this.check(bundle, { kind: 'bytes', bytes: data });
    return bundle;
  }

  /** A DSSE bundle over an in-toto statement, with a Rekor `intoto` entry. Throws as `signMessage`. */
  async signStatement(statement: Statement): Promise<Bundle> {
    const data = Buffer.from(JSON.stringify(statement), 'utf8');
    const bundle = asV03(await this.build(new DSSEBundleBuilder({ signer: this.signer(), witnesses: this.witnesses() }), { data, type: IN_TOTO_PAYLOAD_TYPE }));
    await this.check(bundle, undefined);
    return bundle;
  }

  private signer(): Signer {
    return {
      sign: async (data: Buffer): Promise<Signature> => {
        const { leaf } = await this.certificate();
        return { signature: signBytes('sha256', data, this.key.privateKey), key: { $case: 'x509Certificate', certificate: leaf } };
      },
    };
  }

  private witnesses(): Witness[] {
    const timeout = this.opts.timeoutMs ?? 60_000;
    // DSSE goes in as `intoto` v0.0.2, the kind cosign 2.x writes for attestations and every
    // verifier of `.att` layers reads; message signatures are `hashedrekord` either way.
    const rekor = new RekorWitness({ rekorBaseURL: this.opts.rekorUrl ?? DEFAULT_REKOR_URL, timeout, fetchOnConflict: true, entryType: 'intoto' });
    const tsa = this.opts.timestampServerUrl ? [new TSAWitness({ tsaBaseURL: this.opts.timestampServerUrl, timeout })] : [];
    return [rekor, ...tsa];
  }

  private async build(builder: BundleBuilder, artifact: { data: Buffer; type?: string }): Promise<Bundle> {
    try {
      return await builder.create(artifact);
    } catch (err) {
      throw this.translate(err);
    }
  }

  // @sigstore/sign wraps every service failure in an InternalError with a code naming the
  // service; anything else is a bug and propagates as it is.
  private translate(err: unknown): unknown {
    if (!(err instanceof InternalError)) return err;
    const code: ErrorCode = err.code.startsWith('TSA_') ? 'SIGN_KEYLESS_TSA_FAILED' : err.code.startsWith('CA_') ? 'SIGN_KEYLESS_FULCIO_FAILED' : 'SIGN_KEYLESS_REKOR_FAILED';
    const where = code === 'SIGN_KEYLESS_TSA_FAILED' ? `the timestamp authority at ${redactUrl(this.opts.timestampServerUrl ?? '')}` : `Rekor at ${redactUrl(this.opts.rekorUrl ?? DEFAULT_REKOR_URL)}`;
    const detail = err.cause instanceof Error ? err.cause.message : err.message;
    return new BosunError(code, `${where} failed: ${detail.slice(0, 300)}`, { cause: err });
  }

  private async check(bundle: Bundle, artifact: ArtifactInput | undefined): Promise<void> {
    const trustedRoot = this.opts.trustedRoot;
    if (!trustedRoot) return;
    const identity = { subject: { kind: 'regexp', pattern: '.+' }, issuer: { kind: 'exact', value: this.token.issuer } } as const;
    try {
      await verifyBundle(bundle, { trustedRoot, identity, ...(artifact ? { artifact } : {}) });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new BosunError('SIGN_KEYLESS_UNTRUSTED', `the signing services' answer does not verify against --trusted-root: ${message}`, { cause: err });
    }
  }
}

/**
 * @sigstore/sign writes message-signature bundles as v0.2 with a one-certificate chain; v0.3
 * (what cosign 3 and bosun write) carries the leaf as `certificate`. Nothing signed changes.
 */
function asV03(bundle: Bundle): Bundle {
  const vm = bundle.verificationMaterial;
  const leaf = vm.content.$case === 'x509CertificateChain' ? vm.content.x509CertificateChain.certificates[0] : vm.content.$case === 'certificate' ? vm.content.certificate : undefined;
  if (!leaf) throw new BosunError('SIGN_BUNDLE_INVALID', 'keyless bundle has no certificate');
  return { ...bundle, mediaType: BUNDLE_V03_MEDIA_TYPE, verificationMaterial: { ...vm, content: { $case: 'certificate', certificate: leaf } } } as Bundle;
}

