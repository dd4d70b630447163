// The mark phase alone: which manifests of one repository stay live, one row per graph shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { digestOf, type Digest } from '../../src/oci/digest.js';
import { markRepository, type ManifestNode } from '../../src/registry/lifecycle/mark.js';

const d = (s: string): Digest => digestOf(s);
const node = (name: string, extra: Partial<ManifestNode> = {}): ManifestNode => ({ digest: d(name), tagged: false, pushedAt: 0, refs: [d(`${name}-layer`)], ...extra });
const cutoff = 1000;

const cases: Array<{ name: string; nodes: ManifestNode[]; deleteUntagged: boolean; live: string[]; pinned?: boolean }> = [
  { name: 'tagged manifest', nodes: [node('a', { tagged: true })], deleteUntagged: true, live: ['a'] },
  { name: 'untagged kept by default', nodes: [node('a')], deleteUntagged: false, live: ['a'] },
  { name: 'untagged removed when asked', nodes: [node('a')], deleteUntagged: true, live: [] },
  { name: 'untagged but pushed within the grace period', nodes: [node('a', { pushedAt: cutoff })], deleteUntagged: true, live: ['a'] },
  { name: 'index keeps its children', nodes: [node('i', { tagged: true, refs: [d('c1'), d('c2')] }), node('c1'), node('c2'), node('stray')], deleteUntagged: true, live: ['i', 'c1', 'c2'] },
  { name: 'referrer of a live subject, and its own referrer', nodes: [node('s', { tagged: true }), node('sig', { subject: d('s') }), node('sigsig', { subject: d('sig') })], deleteUntagged: true, live: ['s', 'sig', 'sigsig'] },
  { name: 'referrer of a missing subject goes even by default', nodes: [node('sig', { subject: d('gone') })], deleteUntagged: false, live: [] },
  { name: 'a tagged referrer stays', nodes: [node('sig', { subject: d('gone'), tagged: true })], deleteUntagged: false, live: ['sig'] },
  { name: 'unknown references pin the links', nodes: [node('a', { tagged: true, refs: undefined })], deleteUntagged: false, live: ['a'], pinned: true },
];
for (const c of cases) {
  test(`mark: ${c.name}`, () => {
    const got = markRepository(c.nodes, { cutoff, deleteUntagged: c.deleteUntagged });
    assert.deepEqual([...got.live].sort(), c.live.map(d).sort());
    for (const n of c.nodes.filter((x) => got.live.has(x.digest))) for (const r of n.refs ?? []) assert.ok(got.marked.has(r));
    assert.equal(got.linksPinned, c.pinned ?? false);
  });
}
