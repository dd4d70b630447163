import { test } from 'node:test';
import assert from 'node:assert/strict';
import { digestOf } from '../../src/oci/digest.js';
import { MediaTypes } from '../../src/oci/media-types.js';
import { maxPageSize } from '../../src/registry/pagination.js';
import { codeOf, makeApp } from './helpers.js';

async function withTags(tags: string[]) {
  const app = await makeApp();
  const digest = digestOf('m');
  for (const t of tags) await app.meta.putManifest({ repo: 'r', digest, mediaType: MediaTypes.ociManifest, size: 1 }, t);
  return app;
}

test('tags/list returns all tags sorted', async () => {
  const app = await withTags(['b', 'a', 'c']);
  const res = await app.inject({ method: 'GET', url: '/v2/r/tags/list' });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(JSON.parse(res.body), { name: 'r', tags: ['a', 'b', 'c'] });
  assert.equal(res.headers.link, undefined);
});

const pages = [
  { query: '?n=2', tags: ['a', 'b'], link: '</v2/r/tags/list?n=2&last=b>; rel="next"' },
  { query: '?n=2&last=b', tags: ['c', 'd'], link: undefined },
  { query: '?n=1&last=a', tags: ['b'], link: '</v2/r/tags/list?n=1&last=b>; rel="next"' },
  { query: '?n=0', tags: [], link: undefined },
  { query: '?last=c', tags: ['d'], link: undefined },
] as const;
for (const p of pages) {
  test(`tags/list${p.query}`, async () => {
    const app = await withTags(['a', 'b', 'c', 'd']);
    const res = await app.inject({ method: 'GET', url: `/v2/r/tags/list${p.query}` });
    assert.deepEqual(JSON.parse(res.body).tags, p.tags);
    assert.equal(res.headers.link, p.link);
  });
}

test('a huge n is capped (CVE-2023-2253): one bounded page and a Link to the next', async () => {
  const app = await withTags(Array.from({ length: maxPageSize + 5 }, (_, i) => `t${String(i).padStart(5, '0')}`));
  const res = await app.inject({ method: 'GET', url: '/v2/r/tags/list?n=999999999999999' });
  assert.equal(res.statusCode, 200);
  assert.equal(JSON.parse(res.body).tags.length, maxPageSize);
  assert.match(res.headers.link as string, /last=t00999>; rel="next"$/);
});

const badQueries = [
  { query: '?n=-1', code: 'PAGINATION_NUMBER_INVALID' },
  { query: '?n=abc', code: 'PAGINATION_NUMBER_INVALID' },
  { query: '?n=1e9', code: 'PAGINATION_NUMBER_INVALID' },
  { query: `?last=${'x'.repeat(300)}`, code: 'TAG_INVALID' },
] as const;
for (const c of badQueries) {
  test(`tags/list${c.query.slice(0, 12)} -> 400 ${c.code}`, async () => {
    const app = await withTags(['a']);
    const res = await app.inject({ method: 'GET', url: `/v2/r/tags/list${c.query}` });
    assert.equal(res.statusCode, 400);
    assert.equal(codeOf(res), c.code);
  });
}

test('tags/list of an unknown repository is NAME_UNKNOWN', async () => {
  const app = await makeApp();
  const res = await app.inject({ method: 'GET', url: '/v2/nothing/tags/list' });
  assert.equal(res.statusCode, 404);
  assert.equal(codeOf(res), 'NAME_UNKNOWN');
});

test('_catalog pages repositories with a Link header', async () => {
  const app = await makeApp();
  for (const r of ['b/x', 'a', 'c']) await app.meta.linkBlob(r, digestOf('x'), 1);
  const first = await app.inject({ method: 'GET', url: '/v2/_catalog?n=2' });
  assert.deepEqual(JSON.parse(first.body), { repositories: ['a', 'b/x'] });
  assert.equal(first.headers.link, '</v2/_catalog?n=2&last=b%2Fx>; rel="next"');
  const second = await app.inject({ method: 'GET', url: '/v2/_catalog?n=2&last=b%2Fx' });
  assert.deepEqual(JSON.parse(second.body), { repositories: ['c'] });
  assert.equal(second.headers.link, undefined);
});
