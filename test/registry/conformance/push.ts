// Workflow "Push" (distribution-spec: streamed end-5/end-6, monolithic end-4a/end-4b/end-6,
// chunked end-5/end-13, cross-repository mount end-11, manifest PUT end-7): every upload
// style, the Content-Range rules of chunks, mounting, then manifests (also one without layers).
import assert from 'node:assert/strict';
import { expectLocation, expectStatus, type Reply } from './client.js';
import { deleteEach, putManifest, type SuiteEnv } from './env.js';
import { chunkedBlob } from './fixtures.js';
import { invalidReference } from './pull.js';
import { skip, type Case, type Workflow } from './runner.js';

const octet = { 'content-type': 'application/octet-stream' };

interface PushState {
  last?: Reply;
  /** The POST that opened the chunked session (its Location is reused on purpose: stale). */
  opened?: Reply;
  mount?: Reply;
  emptyLayerPushed: boolean;
}

function need(reply: Reply | undefined): Reply {
  assert.ok(reply, 'an earlier case did not produce the response this one continues from');
  return reply;
}

function streamedAndMonolithic(env: SuiteEnv, st: PushState): Case[] {
  const { client, fx, repoPath } = env;
  const cfg = fx.configs[1]!;
  const uploads = `${repoPath}/blobs/uploads/`;
  const getBlob = (digest: string) => client.send({ method: 'GET', path: `${repoPath}/blobs/${digest}` });
  return [
    {
      group: 'streamed', name: 'PATCH with the whole blob is 202', run: async () => {
        const start = await client.send({ method: 'POST', path: uploads });
        expectLocation(start);
        st.last = await client.send({ method: 'PATCH', path: client.relativeLocation(start), headers: octet, body: fx.blobA.bytes });
        expectStatus(st.last, 202);
      },
    },
    {
      group: 'streamed', name: 'PUT ?digest= closes the session with 201', run: async () => {
        const r = await client.send({ method: 'PUT', path: client.relativeLocation(need(st.last)), query: { digest: fx.blobA.digest }, headers: octet });
        expectStatus(r, 201);
        expectLocation(r);
      },
    },
    { group: 'monolithic', name: 'GET of an absent blob is 404', run: async () => expectStatus(await getBlob(fx.absentDigest), 404) },
    {
      group: 'monolithic', name: 'POST ?digest= with the blob is 201 or 202', run: async () => {
        st.last = await client.send({ method: 'POST', path: uploads, query: { digest: cfg.digest }, headers: octet, body: cfg.bytes });
        expectLocation(st.last);
        expectStatus(st.last, 201, 202);
      },
    },
    {
      group: 'monolithic', name: 'the blob exists only if that POST said 201', run: async () => {
        expectStatus(await getBlob(cfg.digest), need(st.last).status === 202 ? 404 : 200);
      },
    },
    {
      group: 'monolithic', name: 'POST without a body opens a session (202)', run: async () => {
        st.last = await client.send({ method: 'POST', path: uploads });
        expectStatus(st.last, 202);
      },
    },
    {
      group: 'monolithic', name: 'PUT ?digest= with the whole blob is 201', run: async () => {
        const r = await client.send({ method: 'PUT', path: client.relativeLocation(need(st.last)), query: { digest: cfg.digest }, headers: octet, body: cfg.bytes });
        expectLocation(r);
        expectStatus(r, 201);
      },
    },
    { group: 'monolithic', name: 'GET of the pushed config is 200', run: async () => expectStatus(await getBlob(cfg.digest), 200) },
    {
      group: 'monolithic', name: 'POST then PUT of the layer is 201', run: async () => {
        const start = await client.send({ method: 'POST', path: uploads });
        const r = await client.send({ method: 'PUT', path: client.relativeLocation(start), query: { digest: fx.layer.digest }, headers: octet, body: fx.layer.bytes });
        expectLocation(r);
        expectStatus(r, 201);
      },
    },
    { group: 'monolithic', name: 'GET of the pushed layer is 200', run: async () => expectStatus(await getBlob(fx.layer.digest), 200) },
  ];
}

function chunked(env: SuiteEnv, st: PushState): Case[] {
  const { client, fx, repoPath } = env;
  const first = () => fx.blobB.bytes.subarray(0, fx.blobB.splitAt);
  const second = () => fx.blobB.bytes.subarray(fx.blobB.splitAt);
  const firstRange = () => `0-${fx.blobB.splitAt - 1}`;
  const secondRange = () => `${fx.blobB.splitAt}-${fx.blobB.bytes.length - 1}`;
  const patch = (reply: Reply, body: Buffer, range: string) =>
    client.send({ method: 'PATCH', path: client.relativeLocation(reply), headers: { ...octet, 'content-range': range }, body });
  const open = () => client.send({ method: 'POST', path: `${repoPath}/blobs/uploads/`, headers: { 'content-length': '0' } });
  return [
    {
      group: 'chunked', name: 'a chunk that does not start at 0 is 416', run: async () => {
        const start = await open();
        expectLocation(start);
        // A registry may demand bigger chunks; the blob is rebuilt so its first chunk is big enough.
        const min = Number(start.headers.get('oci-chunk-min-length') ?? '0');
        if (min > fx.blobB.splitAt) fx.blobB = chunkedBlob(min * 2 - 2);
        expectStatus(await patch(start, second(), secondRange()), 416);
      },
    },
    {
      group: 'chunked', name: 'the first chunk is 202 with Range 0-<end>', run: async () => {
        st.opened = await open();
        expectLocation(st.opened);
        st.last = await patch(st.opened, first(), firstRange());
        expectStatus(st.last, 202);
        assert.equal(st.last.headers.get('range'), firstRange(), 'Range after the first chunk');
      },
    },
    { group: 'chunked', name: 'resending the first chunk is 416', run: async () => expectStatus(await patch(need(st.opened), first(), firstRange()), 416) },
    {
      group: 'chunked', name: 'GET of the session is 204 with Range and Location', run: async () => {
        st.last = await client.send({ method: 'GET', path: client.relativeLocation(need(st.opened)) });
        expectStatus(st.last, 204);
        expectLocation(st.last);
        assert.equal(st.last.headers.get('range'), firstRange(), 'Range of the session');
      },
    },
    {
      group: 'chunked', name: 'the second chunk is 202', run: async () => {
        st.last = await patch(need(st.last), second(), secondRange());
        expectStatus(st.last, 202);
        expectLocation(st.last);
      },
    },
    {
      group: 'chunked', name: 'PUT ?digest= with no body closes it with 201', run: async () => {
        const r = await client.send({ method: 'PUT', path: client.relativeLocation(need(st.last)), query: { digest: fx.blobB.digest }, headers: { ...octet, 'content-length': '0' } });
        expectStatus(r, 201);
        expectLocation(r);
      },
    },
  ];
}

function mounts(env: SuiteEnv, st: PushState): Case[] {
  const { client, fx, opts } = env;
  const into = `/v2/${opts.crossmountNamespace}/blobs/uploads/`;
  const created = () => need(st.mount).status === 201;
  return [
    {
      group: 'cross-mount', name: 'mount without from opens a session (202)', run: async () => {
        const r = await client.send({ method: 'POST', path: into, query: { mount: fx.absentDigest } });
        expectStatus(r, 202);
        expectLocation(r);
      },
    },
    {
      group: 'cross-mount', name: 'mount from the namespace is 201 or 202', run: async () => {
        st.mount = await client.send({ method: 'POST', path: into, query: { mount: fx.blobA.digest, from: opts.namespace } });
        expectStatus(st.mount, 201, 202);
      },
    },
    {
      group: 'cross-mount', name: 'after a 201 the blob is readable in the target', run: async () => {
        if (!created()) return skip;
        const loc = client.relativeLocation(need(st.mount));
        assert.equal(loc, `/v2/${opts.crossmountNamespace}/blobs/${fx.blobA.digest}`, 'Location of the mounted blob');
        expectStatus(await client.send({ method: 'GET', path: loc }), 200);
      },
    },
    {
      group: 'cross-mount', name: 'after a 202 the Location is an upload session', run: async () => {
        if (need(st.mount).status !== 202) return skip;
        assert.ok(client.relativeLocation(need(st.mount)).startsWith(`/v2/${opts.crossmountNamespace}/blobs/uploads/`), 'Location of the session');
      },
    },
    {
      group: 'cross-mount', name: 'mount without from, automatic mounting on: 201', run: async () => {
        if (opts.automaticCrossmount !== true || !created()) return skip;
        expectStatus(await client.send({ method: 'POST', path: into, query: { mount: fx.blobA.digest } }), 201);
      },
    },
    {
      group: 'cross-mount', name: 'mount without from, automatic mounting off: 202', run: async () => {
        if (opts.automaticCrossmount !== false || !created()) return skip;
        expectStatus(await client.send({ method: 'POST', path: into, query: { mount: fx.blobA.digest } }), 202);
      },
    },
  ];
}

function manifestsAndTeardown(env: SuiteEnv, st: PushState): Case[] {
  const { client, fx, repoPath } = env;
  const m1 = fx.manifests[1]!;
  const dropManifests: Case = {
    group: 'teardown', name: 'DELETE the pushed manifests', run: async () => {
      await deleteEach(env, 'manifest', [m1.digest], ['2xx', 405]);
      if (st.emptyLayerPushed) await deleteEach(env, 'manifest', [fx.emptyLayerManifest.digest], ['2xx', 405]);
    },
  };
  const dropBlobs: Case[] = [
    { group: 'teardown', name: 'DELETE config 1', run: () => deleteEach(env, 'blob', [fx.configs[1]!.digest], ['2xx', 404, 405]) },
    { group: 'teardown', name: 'DELETE the layer', run: () => deleteEach(env, 'blob', [fx.layer.digest], ['2xx', 404, 405]) },
  ];
  return [
    { group: 'manifests', name: 'GET of an invalid reference is 404', run: async () => expectStatus(await client.send({ method: 'GET', path: `${repoPath}/manifests/${invalidReference}` }), 404) },
    {
      group: 'manifests', name: 'PUT of manifest 1 under four tags is 201 each', run: async () => {
        for (const tag of ['test0', 'test1', 'test2', 'test3']) {
          const r = await putManifest(env, tag, m1);
          expectLocation(r);
          expectStatus(r, 201);
        }
      },
    },
    {
      // The suite only warns when this is refused; a 201 must still carry a Location.
      group: 'manifests', name: 'a manifest with no layers is accepted (201) or refused', run: async () => {
        const r = await putManifest(env, 'emptylayer', fx.emptyLayerManifest);
        if (r.status !== 201) return;
        expectLocation(r);
        st.emptyLayerPushed = true;
      },
    },
    { group: 'manifests', name: 'GET manifest 1 by digest is 200', run: async () => expectStatus(await client.send({ method: 'GET', path: `${repoPath}/manifests/${m1.digest}`, headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } }), 200) },
    ...(env.opts.deleteManifestBeforeBlobs ? [dropManifests, ...dropBlobs] : [...dropBlobs, dropManifests]),
  ];
}

export function pushWorkflow(env: SuiteEnv): Workflow {
  const st: PushState = { emptyLayerPushed: false };
  return { title: 'Push', cases: [...streamedAndMonolithic(env, st), ...chunked(env, st), ...mounts(env, st), ...manifestsAndTeardown(env, st)] };
}
