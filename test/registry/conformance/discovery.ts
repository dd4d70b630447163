// Workflow "Content Discovery" (distribution-spec: tags end-8a/end-8b, referrers end-12a/12b):
// tags with `n`/`last`, then the referrers API over five referrers of image 4 (pushed before
// and after their subject), an artifactType filter, and a referrer of an absent subject.
import assert from 'node:assert/strict';
import { expectStatus, type Reply } from './client.js';
import { deleteEach, putManifest, seedBlob, type SuiteEnv } from './env.js';
import type { Content } from './fixtures.js';
import { seededTag } from './pull.js';
import type { Case, Workflow } from './runner.js';

const indexType = 'application/vnd.oci.image.index.v1+json';

interface Descriptor {
  digest: string;
  annotations?: Record<string, string>;
}

function tagsOf(reply: Reply): string[] {
  try {
    return (JSON.parse(reply.body.toString('utf8')) as { tags?: string[] }).tags ?? [];
  } catch {
    return [];
  }
}

/** A referrers answer: 200, exactly the OCI index media type, and its `manifests`. */
function referrersOf(reply: Reply): Descriptor[] {
  expectStatus(reply, 200);
  assert.equal(reply.headers.get('content-type'), indexType, 'Content-Type of the referrers answer');
  const doc = JSON.parse(reply.body.toString('utf8')) as { manifests?: Descriptor[] };
  return doc.manifests ?? [];
}

async function putReferrer(env: SuiteEnv, doc: Content, subject: string, mediaType?: string): Promise<void> {
  const r = await putManifest(env, doc.digest, doc, mediaType);
  expectStatus(r, '2xx');
  assert.equal(r.headers.get('oci-subject'), subject, `OCI-Subject after pushing referrer ${doc.digest}`);
}

/** Referrers first, then their subject, then more referrers (a registry must accept both orders). */
async function seedReferrers(env: SuiteEnv): Promise<void> {
  const { fx } = env;
  const [m3, m4] = [fx.manifests[3]!, fx.manifests[4]!];
  assert.equal(fx.emptyJson.digest, 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  await seedBlob(env, fx.emptyJson);
  await seedBlob(env, fx.refBlobA);
  await putReferrer(env, fx.refs.configA, m4.digest);
  await putReferrer(env, fx.refs.layerA, m4.digest);
  await putReferrer(env, fx.refs.index, m4.digest, indexType);
  await seedBlob(env, fx.configs[4]!);
  await seedBlob(env, fx.layer);
  expectStatus(await putManifest(env, seededTag, m4), '2xx');
  await seedBlob(env, fx.refBlobB);
  await putReferrer(env, fx.refs.configB, m4.digest);
  await putReferrer(env, fx.refs.layerB, m4.digest);
  await putReferrer(env, fx.dangling, m3.digest);
}

function expectAnnotated(env: SuiteEnv, list: Descriptor[]): void {
  for (const d of list) {
    assert.equal(Object.keys(d.annotations ?? {}).length, 1, `annotations of ${d.digest}`);
    assert.equal(d.annotations?.[env.fx.annotationKey], env.fx.annotations.get(d.digest), `annotation of ${d.digest}`);
  }
}

function tagCases(env: SuiteEnv, st: { tags: string[]; count: number }): Case[] {
  const { client, fx, repoPath } = env;
  const list = (query: Record<string, string> = {}) => client.send({ method: 'GET', path: `${repoPath}/tags/list`, query });
  return [
    { group: 'setup', name: 'push config 2', run: () => seedBlob(env, fx.configs[2]!) },
    { group: 'setup', name: 'push the layer', run: () => seedBlob(env, fx.layer) },
    {
      group: 'setup', name: 'PUT manifest 2 under four tags', run: async () => {
        for (const tag of ['test0', 'test1', 'test2', 'test3']) expectStatus(await putManifest(env, tag, fx.manifests[2]!), '2xx');
        st.tags = tagsOf(await list());
      },
    },
    { group: 'setup', name: 'push referrers around their subject, each answered with OCI-Subject', run: () => seedReferrers(env) },
    {
      group: 'tags', name: 'GET tags/list is 200', run: async () => {
        const r = await list();
        expectStatus(r, 200);
        st.tags = tagsOf(r);
        st.count = st.tags.length;
      },
    },
    {
      group: 'tags', name: 'n limits the number of tags', run: async () => {
        const n = Math.floor(st.count / 2);
        const r = await list({ n: String(n) });
        expectStatus(r, 200);
        st.tags = tagsOf(r);
        assert.equal(st.tags.length, n, `tags returned for n=${n}`);
      },
    },
    {
      // As in the suite, only the status of the `last` page is checked (its list is not inspected).
      group: 'tags', name: 'last sets where the list starts', run: async () => {
        const n = Math.floor(st.count / 2);
        const firstPage = tagsOf(await list({ n: String(n) }));
        assert.ok(firstPage.length >= n && n > 0, 'the first page is too short to name a last tag');
        expectStatus(await list({ n: String(n), last: firstPage[n - 1]! }), 200);
        assert.ok(firstPage.length <= n, `the first page holds ${firstPage.length} tags, over n=${n}`);
      },
    },
  ];
}

function referrerCases(env: SuiteEnv): Case[] {
  const { client, fx, repoPath } = env;
  const referrers = (digest: string, query: Record<string, string> = {}) => client.send({ method: 'GET', path: `${repoPath}/referrers/${digest}`, query });
  const m4 = fx.manifests[4]!.digest;
  return [
    { group: 'referrers', name: 'an unknown subject has an empty list (200)', run: async () => assert.equal(referrersOf(await referrers(fx.absentDigest)).length, 0) },
    {
      group: 'referrers', name: 'the subject lists its five referrers with annotations', run: async () => {
        const list = referrersOf(await referrers(m4));
        assert.equal(list.length, 5, 'referrers of manifest 4');
        assert.notEqual(list[0]!.digest, list[1]!.digest);
        expectAnnotated(env, list);
      },
    },
    {
      group: 'referrers', name: 'artifactType filters the list (or all five when unfiltered)', run: async () => {
        const r = await referrers(m4, { artifactType: fx.artifactTypeA });
        const list = referrersOf(r);
        const applied = r.headers.get('oci-filters-applied');
        if (applied) assert.equal(applied, 'artifactType');
        assert.equal(list.length, applied ? 2 : 5, 'referrers after the filter');
        expectAnnotated(env, list);
      },
    },
    {
      group: 'referrers', name: 'an absent subject lists its dangling referrer', run: async () => {
        const list = referrersOf(await referrers(fx.manifests[3]!.digest));
        assert.deepEqual(list.map((d) => d.digest), [fx.dangling.digest]);
      },
    },
  ];
}

function teardownCases(env: SuiteEnv): Case[] {
  const { fx } = env;
  const r = fx.refs;
  const manifests = [r.index.digest, fx.manifests[2]!.digest, fx.manifests[4]!.digest, r.configA.digest, r.layerA.digest, seededTag, r.configB.digest, r.layerB.digest, fx.dangling.digest];
  const dropManifests: Case = { group: 'teardown', name: 'DELETE the manifests, referrers and tag', run: () => deleteEach(env, 'manifest', manifests, ['2xx', 404, 405]) };
  const dropBlobs: Case[] = [
    { group: 'teardown', name: 'DELETE config 2', run: () => deleteEach(env, 'blob', [fx.configs[2]!.digest], ['2xx', 405]) },
    { group: 'teardown', name: 'DELETE the layer', run: () => deleteEach(env, 'blob', [fx.layer.digest], ['2xx', 405]) },
  ];
  const referrerBlobs: Case = {
    group: 'teardown', name: 'DELETE the referrer blobs', run: async () => {
      const refs = [r.index.digest, r.configA.digest, r.layerA.digest, fx.manifests[4]!.digest, r.configB.digest, r.layerB.digest];
      if (env.opts.deleteManifestBeforeBlobs) await deleteEach(env, 'manifest', refs, ['2xx', 404, 405]);
      await deleteEach(env, 'blob', [fx.configs[4]!.digest, fx.refBlobA.digest, fx.refBlobB.digest, fx.emptyJson.digest], ['2xx', 404, 405]);
      if (!env.opts.deleteManifestBeforeBlobs) await deleteEach(env, 'manifest', refs, ['2xx', 404, 405]);
    },
  };
  return env.opts.deleteManifestBeforeBlobs ? [dropManifests, ...dropBlobs, referrerBlobs] : [...dropBlobs, dropManifests, referrerBlobs];
}

export function discoveryWorkflow(env: SuiteEnv): Workflow {
  const st = { tags: [] as string[], count: 4 };
  return { title: 'Content Discovery', cases: [...tagCases(env, st), ...referrerCases(env), ...teardownCases(env)] };
}
