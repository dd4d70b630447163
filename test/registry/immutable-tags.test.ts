// Immutable tag rules: glob syntax, the push/delete matrix through a real data directory
// (declared and stored rules), the concurrent-push race, and the `bosun registry rules` CLI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { isBosunError } from '../../src/errors.js';
import { parseRegistryConfig } from '../../src/registry/config.js';
import { RegistryEvents, type RegistryEvent } from '../../src/registry/events.js';
import { addImmutableTagRule, ImmutableTagGuard, immutableTags, listImmutableTagRules, matchGlob, removeImmutableTagRule, RuleSet, validateGlob } from '../../src/registry/immutable-tags/index.js';
import { SqliteMetaStore } from '../../src/registry/meta-store/sqlite.js';
import { openRegistry, type OpenedRegistry } from '../../src/registry/serve.js';
import { codeOf, imageManifest, makeApp, putManifest, type PushedImage } from './helpers.js';
import { bosunBin } from '../helpers/bosun-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const globs = [
  ['prod/**', 'prod', true],
  ['prod/**', 'prod/app', true],
  ['prod/**', 'prod/team/app', true],
  ['prod/**', 'production/app', false],
  ['prod/*', 'prod/team/app', false],
  ['*/app', 'team/app', true],
  ['a/**/c', 'a/c', true],
  ['a/**/c', 'a/b/x/c', true],
  ['**', 'any/depth/at/all', true],
  ['v*', 'v1.2.3', true],
  ['v*', 'latest', false],
  ['v1.?', 'v1.x', true],
  ['v1.?', 'v1x2', false],
  ['{latest,stable}', 'stable', true],
  ['{latest,stable}', 'stabl', false],
  ['release-{1,2}.*', 'release-2.0', true],
  ['{a,b}/{x,y}', 'b/x', true],
  ['prod/**/x', 'prod/x', true],
  ['prod/**/x', 'prodx', false],
  ['prod/**', 'prod/', true],
  ['prod/**', 'prodx', false],
  ['*', 'a/b', false],
] as const;
for (const [pattern, value, want] of globs) {
  test(`glob ${pattern} ${want ? 'matches' : 'does not match'} ${value}`, () => assert.equal(matchGlob(pattern, value), want));
}

for (const bad of ['', 'x'.repeat(256), 'a[bc]', 'a{b', 'a}b', '{a{b}}', 'a,b', 'a b', '$(x)']) {
  test(`glob "${bad.slice(0, 20)}" is refused`, () => assert.throws(() => validateGlob(bad), (e) => isBosunError(e, 'REGISTRY_RULE_INVALID')));
}

test('matching time does not explode on patterns a backtracking RegExp would (ReDoS)', () => {
  const started = performance.now();
  assert.equal(matchGlob('*-*-*-*-*-*-*-*-*-*-x', '-'.repeat(128)), false);
  assert.equal(matchGlob('**a**a**a**a**a**b', 'a'.repeat(255)), false);
  assert.ok(performance.now() - started < 200, `${performance.now() - started} ms`);
});

test('registry.yaml immutableTags with a bad glob is REGISTRY_CONFIG_INVALID', () => {
  assert.throws(() => parseRegistryConfig({ immutableTags: [{ repository: 'prod/[x]', tag: 'v*' }] }), (e) => isBosunError(e, 'REGISTRY_CONFIG_INVALID'));
  assert.deepEqual(parseRegistryConfig({ immutableTags: [{ repository: 'prod/**', tag: 'v*' }] }).immutableTags, [{ repository: 'prod/**', tag: 'v*' }]);
});

let data = '';
let reg: OpenedRegistry;
let app: FastifyInstance;
let a: PushedImage;
let b: PushedImage;

before(async () => {
  data = await tempDir('immutable');
  const config = parseRegistryConfig({ immutableTags: [{ repository: 'prod/**', tag: 'v*' }] });
  reg = await openRegistry({ dataDir: data, config });
  app = reg.app;
  a = await imageManifest(app, 'prod/app', {}, 'a');
  b = await imageManifest(app, 'prod/app', {}, 'b');
  for (const repo of ['dev/app', 'team/web']) {
    await imageManifest(app, repo, {}, 'a');
    await imageManifest(app, repo, {}, 'b');
  }
});
after(async () => reg?.close());

async function tagDigest(repo: string, tag: string): Promise<string | undefined> {
  const res = await app.inject({ method: 'HEAD', url: `/v2/${repo}/manifests/${tag}` });
  return res.statusCode === 200 ? (res.headers['docker-content-digest'] as string) : undefined;
}

test('a protected tag: same digest again is fine; another digest, tag delete and manifest delete are DENIED', async () => {
  assert.equal((await putManifest(app, 'prod/app', 'v1', a.raw)).statusCode, 201);
  assert.equal((await putManifest(app, 'prod/app', 'v1', a.raw)).statusCode, 201, 're-push of the same digest');
  const moved = await putManifest(app, 'prod/app', 'v1', b.raw);
  assert.equal(moved.statusCode, 403);
  assert.equal(codeOf(moved), 'DENIED');
  // The message names the rule that blocked it: its id and both patterns.
  const message = (JSON.parse(moved.body) as { errors: Array<{ message: string }> }).errors[0]!.message;
  for (const part of ['config:1', 'prod/**', 'v*']) assert.ok(message.includes(part), `${part} in ${message}`);
  const tagDelete = await app.inject({ method: 'DELETE', url: '/v2/prod/app/manifests/v1' });
  assert.equal(tagDelete.statusCode, 403);
  assert.equal(codeOf(tagDelete), 'DENIED');
  const manifestDelete = await app.inject({ method: 'DELETE', url: `/v2/prod/app/manifests/${a.digest}` });
  assert.equal(manifestDelete.statusCode, 403);
  assert.equal(codeOf(manifestDelete), 'DENIED');
  assert.equal(await tagDigest('prod/app', 'v1'), a.digest);
});

test('tags and repositories outside the rule move and delete freely; pushes by digest are unaffected', async () => {
  for (const [repo, tag] of [['prod/app', 'latest'], ['dev/app', 'v1']] as const) {
    const [x, y] = repo === 'prod/app' ? [a, b] : [await imageManifest(app, repo, {}, 'a'), await imageManifest(app, repo, {}, 'b')];
    assert.equal((await putManifest(app, repo, tag, x.raw)).statusCode, 201);
    assert.equal((await putManifest(app, repo, tag, y.raw)).statusCode, 201);
    assert.equal(await tagDigest(repo, tag), y.digest);
    assert.equal((await app.inject({ method: 'DELETE', url: `/v2/${repo}/manifests/${tag}` })).statusCode, 202);
  }
  assert.equal((await putManifest(app, 'prod/app', b.digest, b.raw)).statusCode, 201);
  // b carries no protected tag now, so deleting it by digest is allowed.
  assert.equal((await app.inject({ method: 'DELETE', url: `/v2/prod/app/manifests/${b.digest}` })).statusCode, 202);
});

test('two concurrent pushes of different digests to a new protected tag: exactly one wins', async () => {
  const x = await imageManifest(app, 'prod/race', {}, 'x');
  const y = await imageManifest(app, 'prod/race', {}, 'y');
  const answers = await Promise.all([putManifest(app, 'prod/race', 'v9', x.raw), putManifest(app, 'prod/race', 'v9', y.raw)]);
  const codes = answers.map((r) => r.statusCode).sort();
  assert.deepEqual(codes, [201, 403]);
  const winner = answers[0]!.statusCode === 201 ? x : y;
  assert.equal(await tagDigest('prod/race', 'v9'), winner.digest);
});

test('the guard serialises check and write: without waiting, both puts would see the tag absent', async () => {
  // Directly on the store, so the two puts interleave at every await deterministically.
  const meta = new SqliteMetaStore(':memory:');
  const guard = new ImmutableTagGuard(meta, new RuleSet([{ repository: '**', tag: 'v*' }]));
  const record = (digest: string) => ({ repo: 'r', digest: digest as `sha256:${string}`, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 2 });
  const settled = await Promise.allSettled(['sha256:' + '1'.repeat(64), 'sha256:' + '2'.repeat(64)].map((d) => guard.putManifest(record(d), 'v1')));
  assert.deepEqual(settled.map((s) => s.status).sort(), ['fulfilled', 'rejected']);
  const refused = settled.find((s) => s.status === 'rejected') as PromiseRejectedResult;
  assert.ok(isBosunError(refused.reason, 'REGISTRY_TAG_IMMUTABLE'));
  await meta.close();
});

test('a stored rule applies to the running registry at once, and stops applying once removed', async () => {
  const x = await imageManifest(app, 'team/web', {}, 'a');
  const y = await imageManifest(app, 'team/web', {}, 'b');
  const rule = await addImmutableTagRule(data, { repository: 'team/*', tag: 'release-*' });
  assert.deepEqual(await addImmutableTagRule(data, { repository: 'team/*', tag: 'release-*' }), rule, 'adding the same patterns again is idempotent');
  assert.equal((await putManifest(app, 'team/web', 'release-1', x.raw)).statusCode, 201);
  const moved = await putManifest(app, 'team/web', 'release-1', y.raw);
  assert.equal(codeOf(moved), 'DENIED');
  assert.ok(moved.body.includes(`rule ${rule.id} `));
  assert.deepEqual(await listImmutableTagRules(data), [rule]);
  await removeImmutableTagRule(data, { id: rule.id });
  assert.equal((await putManifest(app, 'team/web', 'release-1', y.raw)).statusCode, 201);
  await assert.rejects(removeImmutableTagRule(data, { id: rule.id }), (e) => isBosunError(e, 'REGISTRY_RULE_UNKNOWN'));
  const again = await addImmutableTagRule(data, { repository: 'team/*', tag: 'release-*' });
  assert.notEqual(again.id, rule.id, 'ids are not reused');
  await removeImmutableTagRule(data, { repository: 'team/*', tag: 'release-*' });
});

test('a refusal is reported as a denied event with the actor and repository', async () => {
  const events = new RegistryEvents();
  const seen: RegistryEvent[] = [];
  events.on((e) => {
    seen.push(e);
  });
  const small = await makeApp({ events, extensions: [immutableTags({ declared: [{ repository: 'x', tag: 'v1' }] })] });
  const p = await imageManifest(small, 'x', {}, 'p');
  const q = await imageManifest(small, 'x', {}, 'q');
  await putManifest(small, 'x', 'v1', p.raw);
  assert.equal((await putManifest(small, 'x', 'v1', q.raw)).statusCode, 403);
  const denied = seen.filter((e) => e.type === 'denied');
  assert.equal(denied.length, 1);
  assert.deepEqual([denied[0]!.repo, denied[0]!.action, denied[0]!.actor.kind], ['x', 'push', 'anonymous']);
  await small.close();
});

test('bosun registry rules add, list and remove', async () => {
  const dir = await tempDir('rules-cli');
  const run = (...args: string[]) => spawnSync(process.execPath, [bosunBin, 'registry', 'rules', ...args, '--data', dir], { encoding: 'utf8' });
  const added = run('add', '--repository', 'prod/**', '--tag', 'v*');
  assert.equal(added.status, 0, added.stderr);
  assert.equal(added.stdout, '1\tprod/**\tv*\n');
  const listed = run('list', '--format', 'json');
  assert.deepEqual(JSON.parse(listed.stdout), [{ id: '1', repository: 'prod/**', tag: 'v*' }]);
  assert.equal(run('add', '--repository', 'prod/[x]', '--tag', 'v*').status, 2, 'a bad glob exits 2');
  assert.equal(run('remove', '--id', '1').status, 0);
  assert.deepEqual(await listImmutableTagRules(dir), []);
});

test('the guard hands the store everything: references checked in the put, the lifecycle view', async () => {
  const meta = new SqliteMetaStore(':memory:');
  const guard = new ImmutableTagGuard(meta, new RuleSet([{ repository: '**', tag: 'v*' }]));
  const record = { repo: 'r', digest: `sha256:${'3'.repeat(64)}` as const, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 2 };
  const missing = `sha256:${'4'.repeat(64)}` as const;
  for (const tag of [undefined, 'latest', 'v1']) {
    await assert.rejects(guard.putManifest(record, tag, [missing]), (e) => isBosunError(e, 'REGISTRY_SERVE_MANIFEST_BLOB_UNKNOWN'), `tag ${tag}`);
  }
  assert.equal(typeof guard.lifecycle, 'function');
  assert.ok(guard.lifecycle?.());
  await meta.close();
});
