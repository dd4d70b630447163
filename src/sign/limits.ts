/**
 * Size and count caps for signing inputs. Everything here comes from outside (bundles, keys,
 * trusted roots, envelopes), so each read is bounded and fails with LIMIT_EXCEEDED past it.
 */
export const signLimits = {
  /** PEM key files: a PKCS#8 RSA-4096 key is ~3.3 KiB; encrypted envelopes are smaller. */
  keyBytes: 64 * 1024,
  /** Sigstore bundles: a keyless bundle with a cert chain and proofs is ~10–20 KiB. */
  bundleBytes: 4 * 1024 * 1024,
  /** trusted_root.json: the public-good root is ~10 KiB. */
  trustedRootBytes: 4 * 1024 * 1024,
  /** DSSE payloads (an SBOM predicate can be large). */
  dssePayloadBytes: 32 * 1024 * 1024,
  /** Blob artifacts read whole (only for key types that cannot verify a pre-hashed digest). */
  artifactBytes: 1024 * 1024 * 1024,
  /** Transparency-log entries, RFC 3161 timestamps and DSSE signatures per bundle/envelope. */
  entries: 32,
  /**
   * Signatures or attestations considered per image, over both layouts (CVE-2023-46737: a
   * registry can list endless signatures, each costing a verification).
   */
  imageAttachments: 100,
  /** A `.sig` layer blob (a simple-signing payload is ~250 bytes; annotations in `optional` add some). */
  signaturePayloadBytes: 1024 * 1024,
  /** A `.att` layer blob: a DSSE envelope, base64 of a payload up to `dssePayloadBytes`. */
  envelopeBytes: 44 * 1024 * 1024,
  /** in-toto statement subjects. */
  subjects: 4096,
  /** scrypt cost parameters accepted when decrypting a key (cosign uses N=32768 r=8 p=1). */
  scryptMaxN: 1 << 17,
  scryptMaxR: 16,
  scryptMaxP: 4,
} as const;
