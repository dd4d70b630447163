// Workflow "Pull" (distribution-spec: pulling blobs end-2, pulling manifests end-3, error
// bodies): seed image 0 by tag and image 1 by digest, read them back with HEAD and GET, then
// delete what was seeded.
import assert from 'node:assert/strict';
import { errorCodes, expectDigestIfSent, expectStatus, specErrorCodes, type Reply } from './client.js';
import { deleteEach, putManifest, seedBlob, type SuiteEnv } from './env.js';
import type { Case, Workflow } from './runner.js';

type Send = (method: 'GET' | 'HEAD', path: string) => Promise<Reply>;

/** A reference no registry can hold: `.` may not start a tag. */
export const invalidReference = '.INVALID_MANIFEST_NAME';
export const seededTag = 'tagtest0';

function setupCases(env: SuiteEnv): Case[] {
  const { fx } = env;
  const [m0, m1] = [fx.manifests[0]!, fx.manifests[1]!];
  return [
    { group: 'setup', name: 'push config 0', run: () => seedBlob(env, fx.configs[0]!) },
    { group: 'setup', name: 'push config 1', run: () => seedBlob(env, fx.configs[1]!) },
    { group: 'setup', name: 'push the layer', run: () => seedBlob(env, fx.layer) },
    { group: 'setup', name: 'PUT manifest 0 by tag', run: async () => expectStatus(await putManifest(env, seededTag, m0), '2xx') },
    { group: 'setup', name: 'PUT manifest 1 by digest', run: async () => expectStatus(await putManifest(env, m1.digest, m1), '2xx') },
  ];
}

function blobCases(env: SuiteEnv, send: Send): Case[] {
  const { fx, repoPath } = env;
  const config = fx.configs[0]!.digest;
  return [
    { group: 'blobs', name: 'HEAD of an absent blob is 404', run: async () => expectStatus(await send('HEAD', `${repoPath}/blobs/${fx.absentDigest}`), 404) },
    {
      group: 'blobs', name: 'HEAD of a present blob is 200', run: async () => {
        const r = await send('HEAD', `${repoPath}/blobs/${config}`);
        expectStatus(r, 200);
        expectDigestIfSent(r, config);
      },
    },
    { group: 'blobs', name: 'GET of an absent blob is 404', run: async () => expectStatus(await send('GET', `${repoPath}/blobs/${fx.absentDigest}`), 404) },
    { group: 'blobs', name: 'GET of a present blob is 200', run: async () => expectStatus(await send('GET', `${repoPath}/blobs/${config}`), 200) },
  ];
}

function manifestCases(env: SuiteEnv, send: Send): Case[] {
  const { fx, repoPath } = env;
  const [m0, m1] = [fx.manifests[0]!, fx.manifests[1]!];
  const head = (name: string, ref: string, digest: string): Case => ({
    group: 'manifests', name, run: async () => {
      const r = await send('HEAD', `${repoPath}/manifests/${ref}`);
      expectStatus(r, 200);
      expectDigestIfSent(r, digest);
    },
  });
  const get = (name: string, ref: string): Case => ({ group: 'manifests', name, run: async () => expectStatus(await send('GET', `${repoPath}/manifests/${ref}`), 200) });
  const absent = (method: 'GET' | 'HEAD'): Case => ({
    group: 'manifests', name: `${method} of an invalid reference is 404`, run: async () => expectStatus(await send(method, `${repoPath}/manifests/${invalidReference}`), 404),
  });
  return [
    absent('HEAD'),
    head('HEAD manifest 0 by digest is 200', m0.digest, m0.digest),
    head('HEAD manifest 1 by digest is 200', m1.digest, m1.digest),
    head('HEAD by tag is 200 and names manifest 0', seededTag, m0.digest),
    absent('GET'),
    get('GET manifest 0 by digest is 200', m0.digest),
    get('GET manifest 1 by digest is 200', m1.digest),
    get('GET by tag is 200', seededTag),
  ];
}

/** The suite also puts a junk body on this GET; fetch cannot send one, and registries ignore it. */
function errorCases(env: SuiteEnv): Case[] {
  return [
    {
      group: 'error codes', name: 'a malformed digest is 400 with a spec error code (or 404)', run: async () => {
        const r = await env.client.send({ method: 'GET', path: `${env.repoPath}/manifests/sha256:totallywrong`, headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } });
        expectStatus(r, 400, 404);
        if (r.status === 400) {
          const codes = errorCodes(r);
          assert.ok(codes.length > 0, 'the 400 body has no errors[]');
          assert.ok(specErrorCodes.includes(codes[0]!), `"${codes[0]}" is not a spec error code`);
        }
      },
    },
  ];
}

function teardownCases(env: SuiteEnv): Case[] {
  const { fx } = env;
  const dropManifests: Case[] = [
    { group: 'teardown', name: 'DELETE manifest 0', run: () => deleteEach(env, 'manifest', [fx.manifests[0]!.digest], ['2xx', 405]) },
    { group: 'teardown', name: 'DELETE manifest 1', run: () => deleteEach(env, 'manifest', [fx.manifests[1]!.digest], ['2xx', 405]) },
  ];
  const dropBlobs: Case[] = [
    { group: 'teardown', name: 'DELETE config 0', run: () => deleteEach(env, 'blob', [fx.configs[0]!.digest], ['2xx', 404, 405]) },
    { group: 'teardown', name: 'DELETE config 1', run: () => deleteEach(env, 'blob', [fx.configs[1]!.digest], ['2xx', 404, 405]) },
    { group: 'teardown', name: 'DELETE the layer', run: () => deleteEach(env, 'blob', [fx.layer.digest], ['2xx', 404, 405]) },
  ];
  return env.opts.deleteManifestBeforeBlobs ? [...dropManifests, ...dropBlobs] : [...dropBlobs, ...dropManifests];
}

export function pullWorkflow(env: SuiteEnv): Workflow {
  const accept = { accept: 'application/vnd.oci.image.manifest.v1+json' };
  const send: Send = (method, path) => env.client.send({ method, path, headers: accept });
  return { title: 'Pull', cases: [...setupCases(env), ...blobCases(env, send), ...manifestCases(env, send), ...errorCases(env), ...teardownCases(env)] };
}
