export { attachArtifact, reportArtifactType, sbomArtifactTypes, scannerActor } from './attach.js';
export { scanCandidate, type ScanCandidate } from './candidate.js';
export { runScanJob, type ScanJobDeps } from './scan-image.js';
export { scanOnPush, type ScanConfig, type ScanHandle } from './scan-on-push.js';
export { ScanQueue, type ScanJob, type ScanQueueOptions } from './scan-queue.js';
export { parseScanPath, scanApiPrefix, scanRoutes } from './scan-routes.js';
export { maxStoredReportBytes, scanStatuses, SqliteScanStore, type ScanRecord, type ScanStatus, type ScanStore } from './scan-store.js';
export { manifestBytes, storeImage } from './store-image.js';
export { countsAtOrAbove, pullVerdict, type PullRule, type Verdict } from './verdict.js';
