import type { Bundle, TransparencyLogEntry } from '@sigstore/bundle';
import { BosunError } from '../../errors.js';
import { cosignLayout } from '../cosign.js';
import { envelopeToJson } from '../dsse.js';
import type { IssuedCertificate } from './fulcio.js';

/**
 * cosign's `bundle.RekorBundle` (the `dev.sigstore.cosign/bundle` annotation): the Rekor SET and
 * the entry it signs, with the log ID in hex and numbers as JSON numbers, in cosign's key order.
 */
function rekorBundleAnnotation(entry: TransparencyLogEntry): string {
  const set = entry.inclusionPromise?.signedEntryTimestamp;
  if (!set || set.length === 0) throw new BosunError('SIGN_KEYLESS_REKOR_FAILED', 'Rekor returned no signed entry timestamp, which cosign\'s .sig layout needs');
  return JSON.stringify({
    SignedEntryTimestamp: Buffer.from(set).toString('base64'),
    Payload: {
      body: Buffer.from(entry.canonicalizedBody).toString('base64'),
      integratedTime: Number(entry.integratedTime),
      logIndex: Number(entry.logIndex),
      logID: Buffer.from(entry.logId?.keyId ?? []).toString('hex'),
    },
  });
}

function pemLines(pem: string): string {
  return pem.endsWith('\n') ? pem : `${pem}\n`;
}

/**
 * The annotations cosign writes on a keyless `.sig` / `.att` layer, from a bundle bosun made:
 * the signature (empty for DSSE layers: the envelope carries it), the leaf certificate and the
 * rest of Fulcio's chain as PEM, the Rekor bundle and, when a TSA was used, the RFC 3161
 * timestamp (`{"SignedRFC3161Timestamp": base64}`). Throws SIGN_KEYLESS_REKOR_FAILED when the
 * bundle has no log entry with a SET.
 */
export function keylessLayerAnnotations(bundle: Bundle, issued: IssuedCertificate): Record<string, string> {
  const vm = bundle.verificationMaterial;
  const entry = vm.tlogEntries[0];
  if (!entry) throw new BosunError('SIGN_KEYLESS_REKOR_FAILED', 'the keyless bundle has no Rekor entry');
  const signature = bundle.content.$case === 'messageSignature' ? Buffer.from(bundle.content.messageSignature.signature).toString('base64') : '';
  const a = cosignLayout.annotations;
  const out: Record<string, string> = {
    [a.signature]: signature,
    [a.certificate]: pemLines(issued.leaf),
    [a.chain]: issued.chain.map(pemLines).join(''),
    [a.bundle]: rekorBundleAnnotation(entry),
  };
  const ts = vm.timestampVerificationData?.rfc3161Timestamps[0];
  if (ts) out[a.rfc3161Timestamp] = JSON.stringify({ SignedRFC3161Timestamp: Buffer.from(ts.signedTimestamp).toString('base64') });
  return out;
}

/** The `.att` layer blob for a DSSE bundle: its envelope in the JSON form cosign writes. */
export function envelopeBlob(bundle: Bundle): Buffer {
  if (bundle.content.$case !== 'dsseEnvelope') throw new BosunError('SIGN_BUNDLE_INVALID', 'an attestation bundle must hold a DSSE envelope');
  const env = bundle.content.dsseEnvelope;
  const signatures = env.signatures.map((s) => ({ keyid: s.keyid, sig: Buffer.from(s.sig) }));
  return Buffer.from(JSON.stringify(envelopeToJson({ payloadType: env.payloadType, payload: Buffer.from(env.payload), signatures })));
}
