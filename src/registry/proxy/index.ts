// The pull-through cache: repositories under a configured prefix mirror an upstream registry.
export { proxyExtension } from './proxy.js';
export { parseDuration, proxyConfigSchema, type ProxyConfig, type ProxyEntry } from './config.js';
export { Upstream, upstreamError, type UpstreamBlob } from './upstream.js';
export { HoldbackVerifier } from './blob-fill.js';
