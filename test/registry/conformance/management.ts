// Workflow "Content Management" (distribution-spec: deleting tags and manifests end-9, blobs
// end-10): tag image 3, delete the tag and then the manifest, and see both gone from the tag
// list; delete its blobs and see them gone.
import assert from 'node:assert/strict';
import { errorCodes, expectStatus, type Reply } from './client.js';
import { deleteBlob, deleteManifest, putManifest, seedBlob, type SuiteEnv } from './env.js';
import { seededTag } from './pull.js';
import type { Case, Workflow } from './runner.js';

function tagCount(reply: Reply): number {
  expectStatus(reply, 200);
  const doc = JSON.parse(reply.body.toString('utf8')) as { tags?: string[] | null };
  return (doc.tags ?? []).length;
}

export function managementWorkflow(env: SuiteEnv): Workflow {
  const { client, fx, repoPath } = env;
  const m3 = fx.manifests[3]!;
  const cfg = fx.configs[3]!;
  const tagList = () => client.send({ method: 'GET', path: `${repoPath}/tags/list` });
  const st = { tags: 0, blobDeleteAllowed: true };
  const cases: Case[] = [
    { group: 'setup', name: 'push config 3', run: () => seedBlob(env, cfg) },
    { group: 'setup', name: 'push the layer', run: () => seedBlob(env, fx.layer) },
    { group: 'setup', name: 'PUT manifest 3 by tag', run: async () => expectStatus(await putManifest(env, seededTag, m3), '2xx') },
    { group: 'setup', name: 'count the tags', run: async () => void (st.tags = tagCount(await tagList())) },
    {
      group: 'manifest delete', name: 'DELETE of a tag is 202 (or 400 UNSUPPORTED, or 405)', run: async () => {
        const r = await deleteManifest(env, seededTag);
        expectStatus(r, 202, 400, 405);
        if (r.status === 400) assert.equal(errorCodes(r)[0], 'UNSUPPORTED', 'error code of a refused tag delete');
      },
    },
    { group: 'manifest delete', name: 'DELETE of the manifest is 202 (404 if the tag took it)', run: async () => expectStatus(await deleteManifest(env, m3.digest), 202, 404) },
    { group: 'manifest delete', name: 'GET of the deleted manifest is 404 (200 if deletes are ignored)', run: async () => expectStatus(await client.send({ method: 'GET', path: `${repoPath}/manifests/${m3.digest}` }), 404, 200) },
    { group: 'manifest delete', name: 'the tag list shrank', run: async () => assert.ok(tagCount(await tagList()) < st.tags, 'tags after the delete') },
    {
      group: 'blob delete', name: 'DELETE of the config and layer is 202 (or 404/405)', run: async () => {
        expectStatus(await deleteBlob(env, cfg.digest), 202, 404, 405);
        const r = await deleteBlob(env, fx.layer.digest);
        expectStatus(r, 202, 404, 405);
        st.blobDeleteAllowed = r.status !== 405;
      },
    },
    {
      group: 'blob delete', name: 'GET of the deleted config is 404', run: async () => {
        if (!st.blobDeleteAllowed) return;
        expectStatus(await client.send({ method: 'GET', path: `${repoPath}/blobs/${cfg.digest}` }), 404);
      },
    },
  ];
  return { title: 'Content Management', cases };
}
