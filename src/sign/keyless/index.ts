export { createKeylessSigner, hasKeylessFlags } from './create.js';
export type { KeylessFlags } from './create.js';
export { DEFAULT_FULCIO_URL, requestCertificate } from './fulcio.js';
export type { CertificateRequest, IssuedCertificate } from './fulcio.js';
export { envelopeBlob, keylessLayerAnnotations } from './legacy.js';
export { DEFAULT_REKOR_URL, KeylessSigner } from './signer.js';
export type { KeylessSignerOptions } from './signer.js';
export { SIGSTORE_AUDIENCE, parseIdentityToken, resolveIdentityToken } from './token.js';
export type { IdentityToken, TokenOptions, TokenSource } from './token.js';
