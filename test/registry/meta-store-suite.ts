// describeMetaStore(make): the contract every MetaStore implementation must meet (STYLE.md §5).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isBosunError } from '../../src/errors.js';
import { digestOf } from '../../src/oci/digest.js';
import type { ManifestRecord, MetaStore } from '../../src/registry/meta-store/meta-store.js';

const d = (s: string) => digestOf(s);
const manifest = (repo: string, name: string, extra: Partial<ManifestRecord> = {}): ManifestRecord => ({
  repo,
  digest: d(name),
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  size: name.length,
  ...extra,
});

/** Runs the MetaStore contract against fresh stores from `make`. */
export function describeMetaStore(name: string, make: () => Promise<MetaStore>): void {
  describe(`MetaStore contract: ${name}`, () => {
    test('blob links are per repository', async () => {
      const m = await make();
      await m.linkBlob('a/b', d('x'), 1);
      assert.deepEqual(await m.blobLink('a/b', d('x')), { size: 1 });
      assert.equal(await m.blobLink('c', d('x')), undefined);
      assert.equal(await m.unlinkBlob('a/b', d('x')), true);
      assert.equal(await m.unlinkBlob('a/b', d('x')), false);
      assert.equal(await m.blobLink('a/b', d('x')), undefined);
    });

    test('repositoriesLinking: holders of a digest, oldest repository first, at most limit', async () => {
      const m = await make();
      for (const repo of ['c', 'a/x', 'b']) await m.linkBlob(repo, d('x'), 1);
      await m.linkBlob('a/x', d('y'), 1);
      await m.putManifest(manifest('m', 'x'));
      assert.deepEqual(await m.repositoriesLinking(d('x'), 10), ['c', 'a/x', 'b', 'm']);
      assert.deepEqual(await m.repositoriesLinking(d('x'), 2), ['c', 'a/x']);
      assert.deepEqual(await m.repositoriesLinking(d('y'), 10), ['a/x']);
      await m.unlinkBlob('a/x', d('x'));
      await m.linkBlob('a/x', d('x'), 1);
      assert.deepEqual(await m.repositoriesLinking(d('x'), 10), ['c', 'a/x', 'b', 'm'], 'relinking keeps the repository\'s place');
      await m.unlinkBlob('c', d('x'));
      assert.deepEqual(await m.repositoriesLinking(d('x'), 10), ['a/x', 'b', 'm']);
      assert.deepEqual(await m.repositoriesLinking(d('absent'), 10), []);
    });

    test('a manifest put with a tag resolves by tag and digest, and links its blob', async () => {
      const m = await make();
      const rec = manifest('r', 'm1', { annotations: { k: 'v' } });
      await m.putManifest(rec, 'v1');
      assert.deepEqual(await m.resolveTag('r', 'v1'), rec);
      assert.deepEqual(await m.getManifest('r', rec.digest), rec);
      assert.deepEqual(await m.blobLink('r', rec.digest), { size: 2 });
      assert.equal(await m.resolveTag('other', 'v1'), undefined);
    });

    test('retagging moves the tag; deleting a manifest drops its tags', async () => {
      const m = await make();
      await m.putManifest(manifest('r', 'm1'), 'latest');
      await m.putManifest(manifest('r', 'm2'), 'latest');
      await m.putManifest(manifest('r', 'm2'), 'stable');
      assert.equal((await m.resolveTag('r', 'latest'))?.digest, d('m2'));
      assert.equal(await m.deleteManifest('r', d('m2')), true);
      assert.deepEqual(await m.listTags('r', { n: 10 }), []);
      assert.equal(await m.deleteManifest('r', d('m2')), false);
      assert.equal(await m.deleteManifest('nope', d('m2')), false);
      assert.ok(await m.getManifest('r', d('m1')));
    });

    test('deleting a tag keeps the manifest', async () => {
      const m = await make();
      await m.putManifest(manifest('r', 'm1'), 't');
      assert.equal(await m.deleteTag('r', 't'), true);
      assert.equal(await m.deleteTag('r', 't'), false);
      assert.ok(await m.getManifest('r', d('m1')));
    });

    test('tags and repositories page in lexical order after `last`', async () => {
      const m = await make();
      for (const t of ['b', 'a', 'C', 'c', '1']) await m.putManifest(manifest('r', `m-${t}`), t);
      await m.linkBlob('z', d('x'), 1);
      await m.linkBlob('a/x', d('x'), 1);
      assert.deepEqual(await m.listTags('r', { n: 10 }), ['1', 'C', 'a', 'b', 'c']);
      assert.deepEqual(await m.listTags('r', { n: 2, last: 'C' }), ['a', 'b']);
      assert.deepEqual(await m.listTags('r', { n: 0 }), []);
      assert.equal(await m.listTags('missing', { n: 10 }), undefined);
      assert.deepEqual(await m.listRepositories({ n: 10 }), ['a/x', 'r', 'z']);
      assert.deepEqual(await m.listRepositories({ n: 1, last: 'a/x' }), ['r']);
    });

    test('referrers by subject, optionally filtered by artifactType', async () => {
      const m = await make();
      const subject = d('image');
      await m.putManifest(manifest('r', 'sig', { subject, artifactType: 'application/vnd.dev.cosign', annotations: { a: '1' } }));
      await m.putManifest(manifest('r', 'sbom', { subject, artifactType: 'application/spdx+json' }));
      await m.putManifest(manifest('r', 'unrelated', { artifactType: 'application/spdx+json' }));
      await m.putManifest(manifest('other', 'elsewhere', { subject, artifactType: 'application/spdx+json' }));
      const all = await m.referrers('r', subject, { limit: 10 });
      assert.deepEqual(all.map((x) => x.digest).sort(), [d('sig'), d('sbom')].sort());
      const sbom = await m.referrers('r', subject, { artifactType: 'application/spdx+json', limit: 10 });
      assert.deepEqual(sbom, [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: d('sbom'), size: 4, artifactType: 'application/spdx+json' }]);
      assert.equal((await m.referrers('r', subject, { limit: 1 })).length, 1);
    });

    test('tagsOf lists the tags of one digest in pages', async () => {
      const m = await make();
      for (const tag of ['c', 'a', 'b']) await m.putManifest(manifest('r', 'm1'), tag);
      await m.putManifest(manifest('r', 'm2'), 'other');
      assert.deepEqual(await m.tagsOf('r', d('m1'), { n: 2 }), ['a', 'b']);
      assert.deepEqual(await m.tagsOf('r', d('m1'), { n: 2, last: 'b' }), ['c']);
      assert.deepEqual(await m.tagsOf('nope', d('m1'), { n: 2 }), []);
    });

    test('putManifest with refs: each must be linked or a manifest of the repository, checked in its transaction', async () => {
      const m = await make();
      await m.linkBlob('r', d('layer'), 5);
      await m.putManifest(manifest('r', 'child'));
      await m.putManifest(manifest('r', 'parent'), 'v1', [d('layer'), d('child')]);
      assert.ok(await m.resolveTag('r', 'v1'));
      await assert.rejects(m.putManifest(manifest('r', 'broken'), 'v2', [d('layer'), d('missing')]), (e) => isBosunError(e, 'REGISTRY_SERVE_MANIFEST_BLOB_UNKNOWN'));
      assert.equal(await m.getManifest('r', d('broken')), undefined, 'nothing of the refused put was recorded');
      assert.equal(await m.resolveTag('r', 'v2'), undefined);
      await assert.rejects(m.putManifest(manifest('other', 'x'), undefined, [d('layer')]), (e) => isBosunError(e, 'REGISTRY_SERVE_MANIFEST_BLOB_UNKNOWN'));
    });

    test('referrers page after a cursor', async () => {
      const m = await make();
      const subject = d('image');
      const names = ['a', 'b', 'c'].map((x) => manifest('r', `ref-${x}`, { subject }));
      for (const n of names) await m.putManifest(n);
      const sorted = names.map((n) => n.digest).sort();
      assert.deepEqual((await m.referrers('r', subject, { limit: 10, after: sorted[0]! })).map((x) => x.digest), sorted.slice(1));
    });

    test('upload sessions: create, update, stale listing, delete', async () => {
      const m = await make();
      await m.createUpload({ id: 'a'.repeat(32), repo: 'r', size: 0, updatedAt: 1000 });
      await m.createUpload({ id: 'b'.repeat(32), repo: 'r', size: 0, updatedAt: 5000 });
      await m.setUploadSize('a'.repeat(32), 42, 2000);
      assert.deepEqual(await m.getUpload('a'.repeat(32)), { id: 'a'.repeat(32), repo: 'r', size: 42, updatedAt: 2000 });
      assert.deepEqual((await m.staleUploads(3000, 10)).map((u) => u.id), ['a'.repeat(32)]);
      assert.deepEqual((await m.listUploadIds()).sort(), ['a'.repeat(32), 'b'.repeat(32)]);
      await m.deleteUpload('a'.repeat(32));
      assert.equal(await m.getUpload('a'.repeat(32)), undefined);
    });
  });
}
