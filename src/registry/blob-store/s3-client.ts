import { S3Client } from '@aws-sdk/client-s3';

export interface S3ClientSettings {
  /** `https://host[:port]` of an S3-compatible server; absent for AWS itself. */
  endpoint?: string;
  region: string;
  /** `endpoint/bucket/key` URLs instead of `bucket.endpoint/key` (most self-hosted servers). */
  forcePathStyle: boolean;
  /** Absent: the SDK's default chain (AWS_* environment variables, profiles, instance roles). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/**
 * An S3Client for the registry's blob store. Checksums are sent and checked only where S3
 * requires them: every blob is already verified against its digest above the store, and many
 * S3-compatible servers reject the SDK's newer default checksum headers and trailers.
 */
export function createS3Client(s: S3ClientSettings): S3Client {
  return new S3Client({
    region: s.region,
    forcePathStyle: s.forcePathStyle,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
    ...(s.endpoint !== undefined ? { endpoint: s.endpoint } : {}),
    ...(s.credentials ? { credentials: s.credentials } : {}),
  });
}
