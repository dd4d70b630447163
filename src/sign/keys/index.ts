export { COSIGN_KEY_LABEL, SIGSTORE_KEY_LABEL, decryptPrivateKey, encryptPrivateKey } from './encrypted.js';
export { generateKeyPair } from './generate.js';
export type { GenerateKeyPairOptions, GeneratedKeyPair } from './generate.js';
export { assertSupported, loadPrivateKey, loadPublicKey, parsePublicKey, readKeyText } from './load.js';
export type { LoadPrivateKeyOptions, SigningKey } from './load.js';
export { envPasswordSource } from './password.js';
export type { PasswordSource, PasswordSourceOptions } from './password.js';
export { parsePem, toPem } from './pem.js';
export type { PemBlock } from './pem.js';
