// describeFeatureStores(make): the contracts of the stores beside the registry metadata
// (AccessStore, RuleStore, AuditStore, ScanStore), run on SQLite and PostgreSQL alike.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isBosunError } from '../../src/errors.js';
import { verifyAuditLog } from '../../src/registry/audit/audit-export.js';
import type { AuditRecord } from '../../src/registry/audit/chain.js';
import type { FeatureStores } from '../../src/registry/feature-stores.js';
import { maxStoredRules } from '../../src/registry/immutable-tags/rules.js';

/** Fresh, empty stores (and a second set over the same database, as another process opens it). */
export interface FeatureStoresPair {
  a: FeatureStores;
  b: FeatureStores;
}

function record(i: number, actor: string): AuditRecord {
  return {
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), action: 'push', outcome: 'ok', actorKind: 'user', actor,
    ip: '192.0.2.1', repo: 'team/app', digest: `sha256:${String(i).padStart(64, '0')}`, tag: null, detail: null,
  };
}

const account = (name: string, kind: 'user' | 'robot' = 'user') => ({ name, kind, secretHash: `hash-of-${name}`, createdAt: 1_700_000_000_000, grants: [] });

export function describeFeatureStores(name: string, make: () => Promise<FeatureStoresPair>): void {
  describe(`feature stores: ${name}`, () => {
    test('accounts: created with grants, seen by the other connection, changed and removed', async () => {
      const { a, b } = await make();
      await a.access.createAccount({ ...account('alice'), description: 'dev', grants: [{ pattern: 'team/**', actions: ['pull', 'push'] }] });
      await a.access.createAccount(account('robot$ci', 'robot'));
      await assert.rejects(b.access.createAccount(account('alice')), (e) => isBosunError(e, 'REGISTRY_AUTH_ACCOUNT_EXISTS'));
      assert.equal(await b.access.countAccounts(), 2);
      assert.deepEqual(await b.access.getAccount('alice'), {
        name: 'alice', kind: 'user', secretHash: 'hash-of-alice', description: 'dev', createdAt: 1_700_000_000_000, grants: [{ pattern: 'team/**', actions: ['pull', 'push'] }],
      });
      assert.deepEqual((await b.access.listAccounts('robot')).map((x) => x.name), ['robot$ci']);
      assert.equal(await b.access.setGrant('alice', { pattern: 'team/**', actions: ['pull'] }), true);
      assert.equal(await b.access.setGrant('alice', { pattern: 'a/*', actions: ['delete'] }), true);
      assert.equal(await b.access.setGrant('nobody', { pattern: 'a/*', actions: ['pull'] }), false);
      assert.deepEqual((await a.access.getAccount('alice'))!.grants, [{ pattern: 'a/*', actions: ['delete'] }, { pattern: 'team/**', actions: ['pull'] }]);
      assert.equal(await a.access.removeGrant('alice', 'a/*'), true);
      assert.equal(await a.access.removeGrant('alice', 'a/*'), false);
      assert.equal(await a.access.setSecret('alice', 'new-hash'), true);
      assert.equal(await a.access.setSecret('nobody', 'x'), false);
      assert.equal((await b.access.getAccount('alice'))!.secretHash, 'new-hash');
      assert.equal(await b.access.deleteAccount('alice'), true);
      assert.equal(await b.access.deleteAccount('alice'), false);
      assert.equal(await a.access.getAccount('alice'), undefined);
      assert.deepEqual((await a.access.listAccounts()).map((x) => [x.name, x.grants.length]), [['robot$ci', 0]]);
    });

    test('rules: idempotent add, ids by order and never reused, removal by id or patterns', async () => {
      const { a, b } = await make();
      const r1 = await a.rules.add({ repository: 'prod/**', tag: 'v*' });
      const r2 = await b.rules.add({ repository: '**', tag: 'stable' });
      assert.deepEqual(await a.rules.add({ repository: 'prod/**', tag: 'v*' }), r1);
      assert.deepEqual(await b.rules.list(), [r1, r2]);
      assert.deepEqual(await a.rules.remove({ id: r2.id }), r2);
      assert.equal(await a.rules.remove({ id: r2.id }), undefined);
      assert.equal(await a.rules.remove({ id: 'not-a-number' }), undefined);
      const r3 = await a.rules.add({ repository: '**', tag: 'stable' });
      assert.ok(Number(r3.id) > Number(r2.id), 'a removed id is not reused');
      assert.deepEqual(await b.rules.remove({ repository: 'prod/**', tag: 'v*' }), r1);
      assert.deepEqual(await b.rules.list(), [r3]);
    });

    test(`rules: concurrent adds from two connections respect the ${maxStoredRules}-rule limit and idempotency`, async () => {
      const { a, b } = await make();
      const adds = Array.from({ length: maxStoredRules - 2 }, (_, i) => a.rules.add({ repository: `r${i}`, tag: 'v*' }));
      await Promise.all(adds);
      // Four racing adds for the last two free places, two of them the same rule from both sides.
      const race = await Promise.allSettled([a.rules.add({ repository: 'x', tag: 'v*' }), b.rules.add({ repository: 'x', tag: 'v*' }), a.rules.add({ repository: 'y', tag: 'v*' }), b.rules.add({ repository: 'z', tag: 'v*' })]);
      const ok = race.filter((r) => r.status === 'fulfilled');
      const refused = race.filter((r) => r.status === 'rejected');
      assert.equal((await a.rules.list()).length, maxStoredRules);
      for (const r of refused) assert.ok(isBosunError((r as PromiseRejectedResult).reason, 'LIMIT_EXCEEDED'));
      assert.equal(ok.length, 3, 'x twice (the same rule) and one of y, z');
    });

    test('audit: batches from two writers chain into one log that verifies', async () => {
      const { a, b } = await make();
      assert.equal(await a.audit.head(), undefined);
      // Interleaved batches from both connections, at once: each must chain after the last committed.
      await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).audit.append([record(i * 3 + 1, `w${i}`), record(i * 3 + 2, `w${i}`), record(i * 3 + 3, `w${i}`)])));
      const v = await verifyAuditLog(b.audit);
      assert.equal(v.broken, undefined);
      assert.equal(v.entries, 30);
      assert.deepEqual(await a.audit.head(), v.head);
      const page = await b.audit.list({ afterSeq: 10, limit: 5 });
      assert.deepEqual(page.map((e) => e.seq), [11, 12, 13, 14, 15]);
      const since = await a.audit.list({ afterSeq: 0, limit: 100, since: record(28, '').time });
      assert.deepEqual(since.map((e) => e.time), [28, 29, 30].map((i) => record(i, '').time));
      assert.deepEqual(await a.audit.append([]), []);
    });

    test('scans: put replaces, status is the light view, get the whole record', async () => {
      const { a, b } = await make();
      const digest = `sha256:${'a'.repeat(64)}`;
      await a.scans.put({ repo: 'team/app', digest, status: 'queued', updatedAt: '2026-01-01T00:00:00.000Z' });
      assert.deepEqual(await b.scans.status('team/app', digest), { status: 'queued' });
      const summary = { CRITICAL: 1, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0, total: 1, suppressed: 0 };
      await b.scans.put({ repo: 'team/app', digest, status: 'done', updatedAt: '2026-01-01T00:01:00.000Z', summary, sbomDigest: `sha256:${'b'.repeat(64)}` });
      assert.deepEqual(await a.scans.status('team/app', digest), { status: 'done', summary });
      assert.deepEqual(await a.scans.get('team/app', digest), { repo: 'team/app', digest, status: 'done', updatedAt: '2026-01-01T00:01:00.000Z', summary, sbomDigest: `sha256:${'b'.repeat(64)}` });
      assert.equal(await a.scans.get('other', digest), undefined);
      assert.equal(await a.scans.status('other', digest), undefined);
    });
  });
}
