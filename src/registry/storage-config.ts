import { z } from 'zod';

// registry.yaml `storage:` — where blobs and metadata live. Defaults: fs blobs and SQLite
// metadata under the data directory. Secrets come from files (or the environment), never
// from registry.yaml itself, so the config can be committed and mounted as a ConfigMap.

const fsBlobs = z.object({ driver: z.literal('fs') }).strict();

const s3Blobs = z
  .object({
    driver: z.literal('s3'),
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name (3-63 of a-z 0-9 . -)'),
    /** An S3-compatible server's URL; absent for AWS S3. */
    endpoint: z.url({ protocol: /^https?$/ }).optional(),
    region: z.string().min(1).default('us-east-1'),
    /** Key prefix inside the bucket, '' or ending in '/'. */
    prefix: z
      .string()
      .regex(/^(?:[a-z0-9][a-z0-9._-]*\/)*$/, "'' or lowercase path segments each ending in '/', e.g. 'registry/'")
      .max(200)
      .default(''),
    /** Files holding the access key id and secret; both or neither (then AWS_* env / instance role). */
    accessKeyIdFile: z.string().min(1).optional(),
    secretAccessKeyFile: z.string().min(1).optional(),
    forcePathStyle: z.boolean().default(false),
    /** Answer blob GETs with a 307 to a presigned URL (clients must reach the S3 endpoint). */
    redirect: z.boolean().default(false),
    redirectSeconds: z.number().int().min(1).max(7 * 24 * 3600).default(300),
    /** Multipart part size; memory per upload in flight is about twice this. */
    partSizeMiB: z.number().int().min(5).max(5120).default(8),
  })
  .strict()
  .refine((s) => (s.accessKeyIdFile === undefined) === (s.secretAccessKeyFile === undefined), {
    message: 'give both accessKeyIdFile and secretAccessKeyFile, or neither',
  });

const sqliteMeta = z.object({ driver: z.literal('sqlite') }).strict();

const postgresMeta = z
  .object({
    driver: z.literal('postgres'),
    /** postgresql://… ; prefer urlFile when the URL carries a password. */
    url: z.string().regex(/^postgres(?:ql)?:\/\//, 'a postgresql:// URL').optional(),
    /** A file whose (trimmed) content is the URL. */
    urlFile: z.string().min(1).optional(),
    maxConnections: z.number().int().min(1).max(1000).default(10),
  })
  .strict()
  .refine((m) => (m.url === undefined) !== (m.urlFile === undefined), { message: 'give exactly one of url and urlFile' });

export const storageSchema = z
  .object({
    blobs: z.discriminatedUnion('driver', [fsBlobs, s3Blobs]).default({ driver: 'fs' }),
    meta: z.discriminatedUnion('driver', [sqliteMeta, postgresMeta]).default({ driver: 'sqlite' }),
  })
  .strict()
  .default({ blobs: { driver: 'fs' }, meta: { driver: 'sqlite' } });

export type StorageConfig = z.infer<typeof storageSchema>;
export type S3BlobsConfig = z.infer<typeof s3Blobs>;
export type PostgresMetaConfig = z.infer<typeof postgresMeta>;
