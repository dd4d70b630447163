// Workflow "Pull" (distribution-spec: pulling blobs end-2, pulling manifests end-3, error
// bodies): seed image 0 by tag and image 1 by digest, read them back with HEAD and GET, then
// delete what was seeded.
import assert from 'node:assert/strict';
import { errorCodes, expectDigestIfSent, expectStatus, specErrorCodes } from './client.js';
import { deleteEach, putManifest, seedBlob, type SuiteEnv } from './env.js';
import type { Case, Workflow } from './runner.js';

/** A reference no registry can hold: `.` may not start a tag. */
export const invalidReference = '.INVALID_MANIFEST_NAME';
export const seededTag = 'tagtest0';

export function pullWorkflow(env: SuiteEnv): Workflow {
  const { client, fx, repoPath } = env;
  const accept = { accept: 'application/vnd.oci.image.manifest.v1+json' };
  const head = (path: string) => client.send({ method: 'HEAD', path, headers: accept });
  const get = (path: string) => client.send({ method: 'GET', path, headers: accept });
  const [m0, m1] = [fx.manifests[0]!, fx.manifests[1]!];

  const setup: Case[] = [
    { group: 'setup', name: 'push config 0', run: () => seedBlob(env, fx.configs[0]!) },
    { group: 'setup', name: 'push config 1', run: () => seedBlob(env, fx.configs[1]!) },
    { group: 'setup', name: 'push the layer', run: () => seedBlob(env, fx.layer) },
    { group: 'setup', name: 'PUT manifest 0 by tag', run: async () => expectStatus(await putManifest(env, seededTag, m0), '2xx') },
    { group: 'setup', name: 'PUT manifest 1 by digest', run: async () => expectStatus(await putManifest(env, m1.digest, m1), '2xx') },
  ];

  const blobs: Case[] = [
    { group: 'blobs', name: 'HEAD of an absent blob is 404', run: async () => expectStatus(await head(`${repoPath}/blobs/${fx.absentDigest}`), 404) },
    {
      group: 'blobs', name: 'HEAD of a present blob is 200', run: async () => {
        const r = await head(`${repoPath}/blobs/${fx.configs[0]!.digest}`);
        expectStatus(r, 200);
        expectDigestIfSent(r, fx.configs[0]!.digest);
      },
    },
    { group: 'blobs', name: 'GET of an absent blob is 404', run: async () => expectStatus(await get(`${repoPath}/blobs/${fx.absentDigest}`), 404) },
    { group: 'blobs', name: 'GET of a present blob is 200', run: async () => expectStatus(await get(`${repoPath}/blobs/${fx.configs[0]!.digest}`), 200) },
  ];

  const headManifest = (name: string, ref: string, digest: string): Case => ({
    group: 'manifests', name, run: async () => {
      const r = await head(`${repoPath}/manifests/${ref}`);
      expectStatus(r, 200);
      expectDigestIfSent(r, digest);
    },
  });
  const getManifest = (name: string, ref: string): Case => ({
    group: 'manifests', name, run: async () => expectStatus(await get(`${repoPath}/manifests/${ref}`), 200),
  });
  const manifests: Case[] = [
    { group: 'manifests', name: 'HEAD of an invalid reference is 404', run: async () => expectStatus(await head(`${repoPath}/manifests/${invalidReference}`), 404) },
    headManifest('HEAD manifest 0 by digest is 200', m0.digest, m0.digest),
    headManifest('HEAD manifest 1 by digest is 200', m1.digest, m1.digest),
    headManifest('HEAD by tag is 200 and names manifest 0', seededTag, m0.digest),
    { group: 'manifests', name: 'GET of an invalid reference is 404', run: async () => expectStatus(await get(`${repoPath}/manifests/${invalidReference}`), 404) },
    getManifest('GET manifest 0 by digest is 200', m0.digest),
    getManifest('GET manifest 1 by digest is 200', m1.digest),
    getManifest('GET by tag is 200', seededTag),
  ];

  const errors: Case[] = [
    {
      group: 'error codes', name: 'a malformed digest is 400 with a spec error code (or 404)', run: async () => {
        const r = await client.send({ method: 'GET', path: `${repoPath}/manifests/sha256:totallywrong`, headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } });
        expectStatus(r, 400, 404);
        if (r.status === 400) {
          const codes = errorCodes(r);
          assert.ok(codes.length > 0, 'the 400 body has no errors[]');
          assert.ok(specErrorCodes.includes(codes[0]!), `"${codes[0]}" is not a spec error code`);
        }
      },
    },
  ];

  const dropManifests: Case[] = [
    { group: 'teardown', name: 'DELETE manifest 0', run: () => deleteEach(env, 'manifest', [m0.digest], ['2xx', 405]) },
    { group: 'teardown', name: 'DELETE manifest 1', run: () => deleteEach(env, 'manifest', [m1.digest], ['2xx', 405]) },
  ];
  const dropBlobs: Case[] = [
    { group: 'teardown', name: 'DELETE config 0', run: () => deleteEach(env, 'blob', [fx.configs[0]!.digest], ['2xx', 404, 405]) },
    { group: 'teardown', name: 'DELETE config 1', run: () => deleteEach(env, 'blob', [fx.configs[1]!.digest], ['2xx', 404, 405]) },
    { group: 'teardown', name: 'DELETE the layer', run: () => deleteEach(env, 'blob', [fx.layer.digest], ['2xx', 404, 405]) },
  ];
  const teardown = env.opts.deleteManifestBeforeBlobs ? [...dropManifests, ...dropBlobs] : [...dropBlobs, ...dropManifests];
  return { title: 'Pull', cases: [...setup, ...blobs, ...manifests, ...errors, ...teardown] };
}
