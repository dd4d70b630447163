// A second process for the immutable-tag race on one meta.db (immutable-tags-fleet.test.ts):
//   node --import tsx test/helpers/sqlite-tag-racer.ts <meta.db> <seed> <count> <go-file>
// Waits for <go-file> to exist, then pushes `count` manifests (digests from <seed>) to tags
// v0..v<count-1> through an ImmutableTagGuard protecting every tag, and prints one line per
// tag: `<i> ok` or `<i> denied`.
import { existsSync } from 'node:fs';
import { isBosunError } from '../../src/errors.js';
import { digestOf } from '../../src/oci/digest.js';
import { ImmutableTagGuard } from '../../src/registry/immutable-tags/guard.js';
import { RuleSet } from '../../src/registry/immutable-tags/rules.js';
import { SqliteMetaStore } from '../../src/registry/meta-store/sqlite.js';

const [file, seed, count, go] = process.argv.slice(2) as [string, string, string, string];
const meta = new SqliteMetaStore(file);
const guard = new ImmutableTagGuard(meta, new RuleSet([{ repository: '**', tag: 'v*' }]));
while (!existsSync(go)) await new Promise((r) => setTimeout(r, 2));
const lines: string[] = [];
for (let i = 0; i < Number(count); i++) {
  const digest = digestOf(`${seed}-${i}`);
  try {
    await guard.putManifest({ repo: 'race', digest, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 1 }, `v${i}`);
    lines.push(`${i} ok`);
  } catch (err) {
    if (!isBosunError(err, 'REGISTRY_TAG_IMMUTABLE')) throw err;
    lines.push(`${i} denied`);
  }
}
await meta.close();
process.stdout.write(`${lines.join('\n')}\n`);
