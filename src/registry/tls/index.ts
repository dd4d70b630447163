export { tlsReload, type TlsReloadOptions } from './extension.js';
export { checkTlsPair, loadTlsPair, readTlsPair, type TlsPair } from './pair.js';
export { CertificateWatcher, type CertificateWatcherOptions, type CheckResult } from './watcher.js';
