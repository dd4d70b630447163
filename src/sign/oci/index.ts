// Images in registries: sign, attest, verify and list what is attached (cosign-compatible).
export { appendLegacyLayer, attachBundleReferrer, bundleAnnotations } from './attach.js';
export type { LegacyLayer } from './attach.js';
export { COSIGN_SIGN_PREDICATE_TYPE, fetchAttachments, listAttachments } from './attachments.js';
export type { AttachmentKind, AttachmentSource, Attachments, Listing } from './attachments.js';
export { VerificationCache, policyHash } from './cache.js';
export type { RecentKey, VerificationCacheOptions } from './cache.js';
export { attestImage, signImage } from './sign-image.js';
export { layoutSigner } from './layout-signer.js';
export type { LayoutSigner } from './layout-signer.js';
export type { BundleFormat, ImageSigner, SignImageOptions, SignedImage } from './sign-image.js';
export { readAttached, verifyAttached, verifyAttestationRef, verifyImageRef } from './verify-ref.js';
export type { AttachedCheck, ImageVerificationReport, VerifiedItem, VerifyImageOptions } from './verify-ref.js';
export { attestCommand, describeReport, parseAnnotations, readPredicate, signCommand, verifyAttestationCommand, verifyCommand } from './commands.js';
export type { SignCommandOptions, VerifyCommandOptions } from './commands.js';
export { downloadAttestations, downloadSignatures, formatTree, imageTree } from './tree.js';
export type { ImageTree, TreeTag } from './tree.js';
