export { rateLimit, type RateLimitOptions } from './extension.js';
export { TokenBuckets, type BucketLimits, type TakeResult } from './token-buckets.js';
