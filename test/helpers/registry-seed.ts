// Puts manifests byte-exact into a test registry's filesystem storage (distribution 2.8 layout).
//
//   seedManifest(reg, 'team/app', rawBytes, 'v1');   // now GET /v2/team/app/manifests/v1 serves rawBytes
//
// Why not PUT: distribution refuses a manifest whose config or layer blobs it does not hold
// (MANIFEST_BLOB_UNKNOWN), and recorded vectors (cosign's `.sig` manifests, connaisseur's test
// images) ship without them. Writing the storage layout keeps the bytes, and so the digests,
// exactly as recorded. Blobs that do exist should still be pushed through the API.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestRegistry } from './registry.js';

function write(path: string, data: string | Buffer): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, data);
}

/** Stores `raw` as a manifest of `repo`, tagged `tag` when given. Returns its digest. */
export function seedManifest(reg: TestRegistry, repo: string, raw: Buffer, tag?: string): string {
  const hex = createHash('sha256').update(raw).digest('hex');
  const root = join(reg.dir, 'data', 'docker', 'registry', 'v2');
  write(join(root, 'blobs', 'sha256', hex.slice(0, 2), hex, 'data'), raw);
  const manifests = join(root, 'repositories', repo, '_manifests');
  write(join(manifests, 'revisions', 'sha256', hex, 'link'), `sha256:${hex}`);
  if (tag) {
    write(join(manifests, 'tags', tag, 'current', 'link'), `sha256:${hex}`);
    write(join(manifests, 'tags', tag, 'index', 'sha256', hex, 'link'), `sha256:${hex}`);
  }
  return `sha256:${hex}`;
}
