// Retention: which tags the rules keep (table), repository globs, and a dry run against the
// real run on a registry whose pull times come from batched pull events.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Digest } from '../../src/oci/digest.js';
import { digestOf } from '../../src/oci/digest.js';
import type { RetentionRule } from '../../src/registry/lifecycle/config-schema.js';
import { parseDuration } from '../../src/registry/lifecycle/duration.js';
import { lifecycleExtension } from '../../src/registry/lifecycle/extension.js';
import { lifecycleOf } from '../../src/registry/lifecycle/gc.js';
import type { TagTimes } from '../../src/registry/lifecycle/lifecycle-store.js';
import { applyRetention, rulesFor, tagsToDelete, untaggedCutoff } from '../../src/registry/lifecycle/retention.js';
import { harness, lifecycleBackends, pushImage } from './lifecycle-helpers.js';

const t = (tag: string, pushedAt: number, pulledAt = 0): TagTimes => ({ tag, digest: digestOf(tag), pushedAt, pulledAt });
const tags = [t('v1.0', 1), t('v1.1', 2, 50), t('latest', 3), t('dev-x', 4, 10)];
const r = (extra: Partial<RetentionRule>): RetentionRule => ({ repositories: '**', ...extra });

const cases: Array<{ name: string; rules: RetentionRule[]; deleted: string[] }> = [
  { name: 'no rule applies: nothing goes', rules: [], deleted: [] },
  { name: 'a rule without keep conditions keeps everything', rules: [r({ deleteUntaggedOlderThan: '7d' })], deleted: [] },
  { name: 'keepLastPushed 2', rules: [r({ keepLastPushed: 2 })], deleted: ['v1.0', 'v1.1'] },
  { name: 'keepLastPushed 0 keeps none', rules: [r({ keepLastPushed: 0 })], deleted: ['v1.0', 'v1.1', 'latest', 'dev-x'] },
  { name: 'keepLastPulled 1 keeps the latest pull', rules: [r({ keepLastPulled: 1 })], deleted: ['v1.0', 'latest', 'dev-x'] },
  { name: 'keepLastPulled 9: never-pulled tags do not fill the N', rules: [r({ keepLastPulled: 9 })], deleted: ['v1.0', 'latest'] },
  { name: 'keepTags globs', rules: [r({ keepTags: ['v1.*', 'lates?'] })], deleted: ['dev-x'] },
  { name: 'conditions of one rule are OR-ed', rules: [r({ keepLastPushed: 1, keepTags: ['v1.0'] })], deleted: ['v1.1', 'latest'] },
  { name: 'rules are OR-ed', rules: [r({ keepLastPushed: 1 }), r({ keepLastPulled: 1 })], deleted: ['v1.0', 'latest'] },
];
for (const c of cases) {
  test(`retention tags: ${c.name}`, () => {
    assert.deepEqual(tagsToDelete(tags, c.rules).map((x) => x.tag), c.deleted);
  });
}

const globs: Array<[string, string, boolean]> = [
  ['team/*', 'team/app', true],
  ['team/*', 'team/app/sub', false],
  ['team/**', 'team/app/sub', true],
  ['team/**', 'teams/app', false],
  ['**', 'a/b/c', true],
  ['te?m/app', 'team/app', true],
  ['team.app', 'teamxapp', false],
];
for (const [pattern, repo, want] of globs) {
  test(`retention repositories: "${pattern}" ${want ? 'matches' : 'does not match'} "${repo}"`, () => {
    assert.equal(rulesFor(repo, [r({ repositories: pattern })]).length, want ? 1 : 0);
  });
}

test('retention: the longest deleteUntaggedOlderThan wins; durations parse', () => {
  assert.equal(untaggedCutoff([r({ deleteUntaggedOlderThan: '1h' }), r({ deleteUntaggedOlderThan: '2d' }), r({})], 1e10), 1e10 - 2 * 86_400_000);
  assert.equal(untaggedCutoff([r({})], 1e10), undefined);
  const durations: Array<[string, number | undefined]> = [['90s', 90_000], ['1h30m', 5_400_000], ['0', 0], ['2w', 1_209_600_000], ['1 h', undefined], ['-1h', undefined], ['h', undefined], ['', undefined]];
  for (const [text, ms] of durations) assert.equal(parseDuration(text), ms, text);
});

const backends = lifecycleBackends();
after(() => backends.stop());

for (const b of backends.list) {
  test(`retention on a registry (${b.name}): pull times batched from pull events; dry run lists exactly what the real run removes`, async () => {
    const rules: RetentionRule[] = [{ repositories: 'team/**', keepLastPushed: 2, keepLastPulled: 1, keepTags: ['v4'], deleteUntaggedOlderThan: '0s' }];
    const config = { gc: { grace: '1h', deleteUntagged: false }, retention: { pullFlush: '1h', rules } };
    const h = await harness({ meta: await b.meta(), extensions: [lifecycleExtension(config)] });
    const pushed: Record<string, Digest> = {};
    const loose = await pushImage(h.app, 'team/app', 'loose');
    for (const tag of ['v1', 'v2', 'v3', 'v4', 'dev-1', 'dev-2']) {
      pushed[tag] = (await pushImage(h.app, 'team/app', tag, tag)).digest;
      // Distinct push times (ms resolution), so "most recently pushed" is well defined.
      await new Promise((res) => setTimeout(res, 3));
    }
    await pushImage(h.app, 'other', 'x', 'x');
    assert.equal((await h.app.inject({ method: 'GET', url: '/v2/team/app/manifests/v1' })).statusCode, 200);
    const life = lifecycleOf(h.meta);
    assert.equal((await life.tagTimes('team/app')).find((x) => x.tag === 'v1')?.pulledAt, 0, 'a pull does not write per request');
    await h.app.close();
    assert.ok(((await life.tagTimes('team/app')).find((x) => x.tag === 'v1')?.pulledAt ?? 0) > 0, 'closing flushed the batch');

    const now = Date.now() + 1000;
    const dry = await applyRetention(h, rules, { dryRun: true, now });
    assert.deepEqual((await h.meta.listTags('team/app', { n: 100 }))?.length, 6, 'a dry run removes nothing');
    const real = await applyRetention(h, rules, { now });
    const names = (x: typeof real) => [x.tags.map((e) => e.tag).sort(), x.manifests.map((e) => e.digest).sort()];
    assert.deepEqual(names(dry), names(real));
    assert.deepEqual(real.tags.map((e) => e.tag).sort(), ['v2', 'v3']);
    assert.deepEqual(real.manifests.map((e) => e.digest).sort(), [loose.digest, pushed.v2!, pushed.v3!].sort());
    assert.deepEqual(await h.meta.listTags('team/app', { n: 100 }), ['dev-1', 'dev-2', 'v1', 'v4']);
    assert.equal(await h.meta.getManifest('team/app', pushed.v2!), undefined);
    assert.ok(await h.meta.getManifest('team/app', pushed.v4!));
    assert.deepEqual(await h.meta.listTags('other', { n: 100 }), ['x'], 'repositories no rule matches are untouched');
  });
}
