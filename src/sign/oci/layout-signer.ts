import type { KeyObject } from 'node:crypto';
import type { Bundle } from '@sigstore/bundle';
import { digestOf } from '../../oci/digest.js';
import { signData, verifyData } from '../algorithms.js';
import { cosignLayout } from '../cosign.js';
import { envelopeToJson, signEnvelope } from '../dsse.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../intoto.js';
import type { Statement } from '../intoto.js';
import { envelopeBlob, keylessLayerAnnotations } from '../keyless/legacy.js';
import { KeylessSigner } from '../keyless/signer.js';
import { signStatementWithKey } from '../sign-blob.js';
import type { LegacyLayer } from './attach.js';

/** The key pair an image is signed with (see `loadPrivateKey`). */
export interface ImageSigner {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/**
 * Produces what each cosign layout stores, from a key pair or keylessly. Callers make every
 * signature before pushing anything, so a signing service that fails leaves the registry as it was.
 */
export interface LayoutSigner {
  /** A `.sig` layer for a simple-signing payload. */
  signatureLayer(payload: Buffer): Promise<LegacyLayer>;
  /** A `.att` layer for a statement (the caller adds `predicateType` and `-a` annotations). */
  attestationLayer(statement: Statement): Promise<LegacyLayer>;
  /** A v0.3 DSSE bundle for a referrer. */
  statementBundle(statement: Statement): Promise<Bundle>;
}

function keyLayoutSigner(pair: ImageSigner): LayoutSigner {
  const sigKey = cosignLayout.annotations.signature;
  return {
    signatureLayer: async (payload) => ({
      blob: payload, mediaType: cosignLayout.simpleSigningMediaType,
      annotations: { [sigKey]: signData(pair.privateKey, payload).toString('base64') },
      duplicates: (l) => l.digest === digestOf(payload) && verifyData(pair.publicKey, payload, Buffer.from(l.annotations[sigKey] ?? '', 'base64')),
    }),
    attestationLayer: async (statement) => {
      const envelope = signEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement)), pair.privateKey);
      // cosign writes an empty signature annotation on `.att` layers: the envelope carries it.
      return { blob: Buffer.from(JSON.stringify(envelopeToJson(envelope))), mediaType: cosignLayout.dsseMediaType, annotations: { [sigKey]: '' } };
    },
    statementBundle: async (statement) => signStatementWithKey(statement, pair.privateKey, pair.publicKey),
  };
}

// One DSSE signature (and one Rekor entry) per statement serves both the `.att` layer and the
// referrer; an ephemeral key never signs the same thing twice, so duplicates never arise.
function keylessLayoutSigner(signer: KeylessSigner): LayoutSigner {
  const bundles = new Map<string, Promise<Bundle>>();
  const statementBundle = (statement: Statement): Promise<Bundle> => {
    const key = JSON.stringify(statement);
    let found = bundles.get(key);
    if (!found) bundles.set(key, (found = signer.signStatement(statement)));
    return found;
  };
  return {
    signatureLayer: async (payload) => {
      const bundle = await signer.signMessage(payload);
      return { blob: payload, mediaType: cosignLayout.simpleSigningMediaType, annotations: keylessLayerAnnotations(bundle, await signer.certificate()) };
    },
    attestationLayer: async (statement) => {
      const bundle = await statementBundle(statement);
      return { blob: envelopeBlob(bundle), mediaType: cosignLayout.dsseMediaType, annotations: keylessLayerAnnotations(bundle, await signer.certificate()) };
    },
    statementBundle,
  };
}

/** The layout signer for a key pair or a `KeylessSigner`. */
export function layoutSigner(signer: ImageSigner | KeylessSigner): LayoutSigner {
  return signer instanceof KeylessSigner ? keylessLayoutSigner(signer) : keyLayoutSigner(signer);
}
