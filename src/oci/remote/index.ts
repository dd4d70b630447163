// The registry client: pull, resolve, list and push over the OCI distribution API.
// Usage: `import * as remote from './oci/remote/index.js'; await remote.image('alpine:3.20')`.
export { get, image, resolve, type Fetched } from './image.js';
export { listTags, tagLimits, type ListTagsOptions } from './tags.js';
export { write } from './write.js';
export { closeConnections } from './agents.js';
export { clearTokenCache, parseChallenge, type Challenge } from './auth.js';
export { dockerConfigPath, resolveCredentials, type CredentialSource, type ResolvedCredentials } from './credentials.js';
export { parseRetryAfter } from './transport.js';
export type { Credentials, RemoteOptions, RetryOptions } from './options.js';
export { Repository, parseReferrersIndex, referrersTag, type PushedManifest, type Referrers } from './artifacts.js';
