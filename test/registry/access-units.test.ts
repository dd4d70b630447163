// Access control building blocks: patterns, actions, scopes, secrets, grants, keys, accounts.
import assert from 'node:assert/strict';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { addAccount, grantAccess, parseGrant, removeAccount, revokeAccess, setPassword } from '../../src/registry/access/accounts.js';
import { expandActions, parseActions } from '../../src/registry/access/actions.js';
import { ensureAdmin } from '../../src/registry/access/bootstrap.js';
import { matchesPattern, parsePattern } from '../../src/registry/access/patterns.js';
import { Principals } from '../../src/registry/access/principals.js';
import { parseScopes } from '../../src/registry/access/scope.js';
import { hashSecret, verifySecret } from '../../src/registry/access/secrets.js';
import { loadOrCreateSigningKey } from '../../src/registry/access/signing-key.js';
import { SqliteAccessStore } from '../../src/registry/access/sqlite-store.js';
import { grantScopes } from '../../src/registry/access/token-route.js';
import { parseRegistryConfig } from '../../src/registry/config.js';
import { tempDir } from '../helpers/temp-dir.js';

const patterns = [
  { pattern: '**', name: 'a/b/c', want: true },
  { pattern: 'team/**', name: 'team/app', want: true },
  { pattern: 'team/**', name: 'team/a/b', want: true },
  { pattern: 'team/**', name: 'team', want: false },
  { pattern: 'team/**', name: 'teams/app', want: false },
  { pattern: 'team/*', name: 'team/app', want: true },
  { pattern: 'team/*', name: 'team/a/b', want: false },
  { pattern: 'team/*-dev', name: 'team/app-dev', want: true },
  { pattern: 'team/app', name: 'team/app', want: true },
  { pattern: 'team/app', name: 'team/app2', want: false },
  { pattern: 'a.b/x', name: 'aXb/x', want: false }, // the dot is literal
] as const;
for (const c of patterns) test(`pattern ${c.pattern} ${c.want ? 'matches' : 'misses'} ${c.name}`, () => assert.equal(matchesPattern(parsePattern(c.pattern), c.name), c.want));

for (const bad of ['', 'Team/**', 'a//b', '/a', 'a/', 'a/***', 'a b', 'a:b']) {
  test(`pattern "${bad}" refused`, () => assert.throws(() => parsePattern(bad), { code: 'REGISTRY_AUTH_GRANT_INVALID' }));
}

const expansions = [
  { given: ['pull'], want: ['pull'] },
  { given: ['push'], want: ['pull', 'push'] },
  { given: ['delete'], want: ['delete'] },
  { given: ['admin'], want: ['admin', 'delete', 'pull', 'push'] },
] as const;
for (const c of expansions) test(`${c.given.join(',')} implies ${c.want.join(',')}`, () => assert.deepEqual([...expandActions(c.given)].sort(), c.want));

test('actions: canonical order, * is admin, unknown refused', () => {
  assert.deepEqual(parseActions('push, pull,push'), ['pull', 'push']);
  assert.deepEqual(parseActions('*'), ['admin']);
  assert.throws(() => parseActions('pull,write'), { code: 'REGISTRY_AUTH_GRANT_INVALID' });
  assert.throws(() => parseActions(''), { code: 'REGISTRY_AUTH_GRANT_INVALID' });
  assert.deepEqual(parseGrant('team/**=pull,push'), { pattern: 'team/**', actions: ['pull', 'push'] });
  assert.throws(() => parseGrant('team/**'), { code: 'REGISTRY_AUTH_GRANT_INVALID' });
});

test('scopes: repeated and space-separated, plugin class, impossible names dropped, malformed refused', () => {
  assert.deepEqual(parseScopes(['repository:a/b:pull,push registry:catalog:*', 'repository(plugin):c:pull', 'repository:UPPER:pull', 'thing:x:y']), [
    { type: 'repository', name: 'a/b', actions: ['pull', 'push'] },
    { type: 'registry', name: 'catalog', actions: ['*'] },
    { type: 'repository', name: 'c', actions: ['pull'] },
  ]);
  assert.throws(() => parseScopes('repository-only'), { code: 'REGISTRY_AUTH_SCOPE_INVALID' });
});

test('grantScopes: the allowed subset per scope; * only for admin', () => {
  const principal = { name: 'u', kind: 'user' as const, grants: [{ pattern: 'team/**', actions: ['push' as const] }, { pattern: 'ops/*', actions: ['admin' as const] }] };
  const { granted, refused } = grantScopes(principal, parseScopes(['repository:team/a:pull,push,delete,*', 'repository:ops/x:*', 'repository:x/y:pull', 'registry:catalog:*']));
  assert.deepEqual(granted, [
    { type: 'repository', name: 'team/a', actions: ['pull', 'push'] },
    { type: 'repository', name: 'ops/x', actions: ['*'] },
    { type: 'repository', name: 'x/y', actions: [] },
    { type: 'registry', name: 'catalog', actions: ['*'] },
  ]);
  assert.deepEqual(refused, [{ repo: 'team/a', action: 'delete' }, { repo: 'team/a', action: 'admin' }, { repo: 'x/y', action: 'pull' }]);
});

test('secrets: scrypt with a fresh salt each time; wrong, empty, over-long and malformed never verify', async () => {
  const a = await hashSecret('s3cret password');
  const b = await hashSecret('s3cret password');
  assert.notEqual(a, b, 'per-secret salt');
  assert.match(a, /^scrypt\$15\$8\$1\$/);
  assert.equal(await verifySecret('s3cret password', a), true);
  assert.equal(await verifySecret('s3cret passworD', a), false);
  assert.equal(await verifySecret('', a), false);
  assert.equal(await verifySecret('x'.repeat(2000), a), false);
  assert.equal(await verifySecret('s3cret password', a.replace('$15$', '$30$')), false, 'cost outside the accepted range');
  assert.equal(await verifySecret('s3cret password', 'plain'), false);
  await assert.rejects(hashSecret(''), { code: 'REGISTRY_AUTH_PASSWORD_INVALID' });
});

test('accounts: add, grant, revoke, passwd, remove, and their refusals', async () => {
  const store = new SqliteAccessStore(':memory:');
  const robot = await addAccount(store, { kind: 'robot', name: 'ci', grants: [parseGrant('team/**=push')] });
  assert.equal(robot.name, 'robot$ci');
  assert.match(robot.secret!, /^[A-Za-z0-9_-]{32}$/);
  assert.deepEqual(await addAccount(store, { kind: 'user', name: 'alice', password: 'alice password' }), { name: 'alice' });
  await assert.rejects(addAccount(store, { kind: 'user', name: 'alice' }), { code: 'REGISTRY_AUTH_ACCOUNT_EXISTS' });
  await assert.rejects(addAccount(store, { kind: 'user', name: 'Alice!' }), { code: 'REGISTRY_AUTH_NAME_INVALID' });
  await assert.rejects(addAccount(store, { kind: 'user', name: 'bob', password: 'short' }), { code: 'REGISTRY_AUTH_PASSWORD_INVALID' });
  await grantAccess(store, 'alice', 'team/*', 'pull');
  await grantAccess(store, 'alice', 'team/*', 'pull,delete');
  await assert.rejects(grantAccess(store, 'nobody', 'team/*', 'pull'), { code: 'REGISTRY_AUTH_ACCOUNT_UNKNOWN' });
  assert.deepEqual((await store.getAccount('alice'))!.grants, [{ pattern: 'team/*', actions: ['pull', 'delete'] }]);
  await revokeAccess(store, 'alice', 'team/*');
  await assert.rejects(revokeAccess(store, 'alice', 'team/*'), { code: 'REGISTRY_AUTH_GRANT_INVALID' });
  const changed = await setPassword(store, 'alice');
  assert.equal(await verifySecret(changed.secret!, (await store.getAccount('alice'))!.secretHash), true);
  await assert.rejects(setPassword(store, 'robot$ci', 'new password'), { code: 'REGISTRY_AUTH_ACCOUNT_UNKNOWN' });
  await assert.rejects(removeAccount(store, 'user', 'ci'), { code: 'REGISTRY_AUTH_ACCOUNT_UNKNOWN' });
  assert.equal(await removeAccount(store, 'robot', 'ci'), 'robot$ci');
  assert.deepEqual((await store.listAccounts()).map((a) => a.name), ['alice']);
  await store.close();
});

test('principals: logins are cached for the TTL, then the store is asked again', async () => {
  const store = new SqliteAccessStore(':memory:');
  await addAccount(store, { kind: 'user', name: 'alice', password: 'alice password', grants: [parseGrant('a/*=pull')] });
  let now = 0;
  const principals = new Principals(store, { anonymousPull: ['pub/**'], ttlMs: 1000, now: () => now });
  assert.equal((await principals.login('alice', 'alice password'))?.checked, true);
  assert.equal((await principals.login('alice', 'alice password'))?.checked, false);
  assert.deepEqual((await principals.login('alice', 'alice password'))?.principal.grants.map((g) => g.pattern), ['a/*', 'pub/**']);
  await setPassword(store, 'alice', 'changed password');
  now = 2000;
  assert.equal(await principals.login('alice', 'alice password'), undefined, 'the old password stops working after the TTL');
  assert.equal(await principals.login('nobody', 'alice password'), undefined);
  await store.close();
});

test('quick start: an existing password file is used, an existing admin left alone', async () => {
  const dir = await tempDir('boot');
  const store = new SqliteAccessStore(':memory:');
  const file = join(dir, 'admin.pw');
  await writeFile(file, 'my admin password\n', { mode: 0o644 });
  assert.deepEqual(await ensureAdmin(store, file), { created: true, generated: false, exposed: true });
  assert.equal(await verifySecret('my admin password', (await store.getAccount('admin'))!.secretHash), true);
  assert.deepEqual((await store.getAccount('admin'))!.grants, [{ pattern: '**', actions: ['admin'] }]);
  assert.deepEqual(await ensureAdmin(store, join(dir, 'other.pw')), { created: false, generated: false, exposed: false });
  await assert.rejects(stat(join(dir, 'other.pw')), { code: 'ENOENT' });
  await writeFile(join(dir, 'short.pw'), 'short');
  await assert.rejects(ensureAdmin(new SqliteAccessStore(':memory:'), join(dir, 'short.pw')), { code: 'REGISTRY_AUTH_PASSWORD_INVALID' });
  await store.close();
});

test('signing key: created once with mode 0600, reused, refused when others may read it', async () => {
  const dir = await tempDir('key');
  const [a, b] = await Promise.all([loadOrCreateSigningKey(dir), loadOrCreateSigningKey(dir)]);
  assert.equal(a.kid, b.kid, 'two starts at once agree on one key');
  assert.equal((await stat(join(dir, 'token-key.pem'))).mode & 0o777, 0o600);
  assert.equal((await loadOrCreateSigningKey(dir)).kid, a.kid);
  await chmod(join(dir, 'token-key.pem'), 0o644);
  await assert.rejects(loadOrCreateSigningKey(dir), { code: 'REGISTRY_AUTH_KEY_INVALID' });
  await chmod(join(dir, 'token-key.pem'), 0o600);
  await writeFile(join(dir, 'token-key.pem'), (await readFile(join(dir, 'token-key.pem'), 'utf8')).replace(/[A-Z]/g, 'A'));
  await assert.rejects(loadOrCreateSigningKey(dir), { code: 'REGISTRY_AUTH_KEY_INVALID' });
});

test('config: the auth section from YAML, with defaults for the rest', () => {
  const config = parseRegistryConfig({ auth: { enabled: true, anonymousPull: ['public/**'], tokenTtlSeconds: 600, realm: 'https://registry.example/token' } });
  assert.deepEqual(config.auth, { enabled: true, anonymousPull: ['public/**'], tokenTtlSeconds: 600, realm: 'https://registry.example/token', service: 'bosun-registry', issuer: 'bosun-registry' });
});
