// Referrers API pagination: `n` pages with a Link to the next, capped (CVE-2023-2253 class).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { digestOf, type Digest } from '../../src/oci/digest.js';
import { MediaTypes } from '../../src/oci/media-types.js';
import { maxPageSize } from '../../src/registry/pagination.js';
import { codeOf, makeApp } from './helpers.js';

const subject = digestOf('subject');

async function withReferrers(count: number) {
  const app = await makeApp();
  const digests: Digest[] = [];
  for (let i = 0; i < count; i++) {
    const digest = digestOf(`ref-${i}`);
    digests.push(digest);
    const artifactType = i % 2 === 0 ? 'application/vnd.example.sig' : 'application/spdx+json';
    await app.meta.putManifest({ repo: 'r', digest, mediaType: MediaTypes.ociManifest, size: 1, subject, artifactType });
  }
  return { app, digests: digests.sort() };
}

async function page(app: Awaited<ReturnType<typeof makeApp>>, url: string) {
  const res = await app.inject({ method: 'GET', url });
  assert.equal(res.statusCode, 200, res.body);
  const next = /^<([^>]+)>; rel="next"$/.exec((res.headers.link as string | undefined) ?? '')?.[1];
  return { digests: (JSON.parse(res.body) as { manifests: Array<{ digest: Digest }> }).manifests.map((m) => m.digest), next, res };
}

test('referrers: n pages in digest order, each Link leading to the next, the last without one', async () => {
  const { app, digests } = await withReferrers(5);
  const seen: Digest[] = [];
  const sizes: number[] = [];
  for (let url: string | undefined = `/v2/r/referrers/${subject}?n=2`; url; ) {
    const p = await page(app, url);
    seen.push(...p.digests);
    sizes.push(p.digests.length);
    url = p.next;
  }
  assert.deepEqual(sizes, [2, 2, 1]);
  assert.deepEqual(seen, digests);
});

test('referrers: the Link keeps the artifactType filter', async () => {
  const { app } = await withReferrers(6);
  const first = await page(app, `/v2/r/referrers/${subject}?n=2&artifactType=application/spdx%2Bjson`);
  assert.equal(first.res.headers['oci-filters-applied'], 'artifactType');
  assert.match(first.next!, /artifactType=application%2Fspdx%2Bjson/);
  const second = await page(app, first.next!);
  assert.equal(second.digests.length, 1);
  assert.equal(second.next, undefined);
});

test('referrers: a huge n is capped at one bounded page', async () => {
  const { app, digests } = await withReferrers(maxPageSize + 3);
  const p = await page(app, `/v2/r/referrers/${subject}?n=999999999999999`);
  assert.equal(p.digests.length, maxPageSize);
  assert.deepEqual(p.digests, digests.slice(0, maxPageSize));
  const rest = await page(app, p.next!);
  assert.deepEqual(rest.digests, digests.slice(maxPageSize));
});

const bad = [
  { query: '?n=abc', code: 'PAGINATION_NUMBER_INVALID' },
  { query: '?n=-3', code: 'PAGINATION_NUMBER_INVALID' },
  { query: '?last=not-a-digest', code: 'DIGEST_INVALID' },
] as const;
for (const c of bad) {
  test(`referrers${c.query} -> 400 ${c.code}`, async () => {
    const app = await makeApp();
    const res = await app.inject({ method: 'GET', url: `/v2/r/referrers/${subject}${c.query}` });
    assert.equal(res.statusCode, 400);
    assert.equal(codeOf(res), c.code);
  });
}
