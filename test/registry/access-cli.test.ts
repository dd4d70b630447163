// `bosun registry users|robots …` end to end through bin/bosun.js on a data directory.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { openAccessStore } from '../../src/registry/access/accounts.js';
import { verifySecret } from '../../src/registry/access/secrets.js';
import { runBosun, type Run } from '../helpers/bosun-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const bosun = (args: string[], stdin = ''): Promise<Run> => runBosun(['registry', ...args], { stdin });

let data = '';
before(async () => {
  data = join(await tempDir('users'), 'data');
});

test('users add (password on stdin), robots add (secret shown once), grant, list', async () => {
  const alice = await bosun(['users', 'add', 'alice', '--data', data, '--password-stdin', '--grant', 'team/**=pull,push'], 'alice password\n');
  assert.equal(alice.status, 0, alice.stderr);
  assert.equal(alice.stdout, '', 'a given password is never echoed');
  const robot = await bosun(['robots', 'add', 'ci', '--data', data, '--grant', 'team/**=push', '--description', 'CI pushes']);
  assert.equal(robot.status, 0, robot.stderr);
  const secret = robot.stdout.trim();
  assert.match(secret, /^[A-Za-z0-9_-]{32}$/);
  assert.equal((await bosun(['users', 'grant', 'alice', 'ops/*', 'delete', '--data', data])).status, 0);
  const listed = await bosun(['users', 'list', '--data', data, '--json']);
  const users = JSON.parse(listed.stdout) as Array<{ name: string; kind: string; grants: unknown; secretHash?: string }>;
  assert.deepEqual(users.map((u) => [u.name, u.kind, u.grants, u.secretHash]), [
    ['alice', 'user', [{ pattern: 'ops/*', actions: ['delete'] }, { pattern: 'team/**', actions: ['pull', 'push'] }], undefined],
  ]);
  const robots = await bosun(['robots', 'list', '--data', data]);
  assert.match(robots.stdout, /^NAME +CREATED +GRANTS +DESCRIPTION\nrobot\$ci +\d{4}-\d\d-\d\dT[\d:]+Z +team\/\*\*=push +CI pushes\n$/);
  const store = await openAccessStore(data);
  assert.equal(await verifySecret(secret, (await store.getAccount('robot$ci'))!.secretHash), true);
  assert.equal(await verifySecret('alice password', (await store.getAccount('alice'))!.secretHash), true);
  await store.close();
});

test('refusals exit 2 with their code; a mistyped --data is not silently a new registry', async () => {
  const gone = await bosun(['users', 'remove', 'nobody', '--data', data]);
  assert.equal(gone.status, 2);
  assert.match(gone.stderr, /REGISTRY_AUTH_ACCOUNT_UNKNOWN/);
  await assert.rejects(openAccessStore(join(data, 'nope')), { code: 'IO_FAILED' });
});

// `--format table|json` as rules list, audit and db status take it; `--json` stays as its shorthand.
const listFormats: Array<{ kind: 'users' | 'robots'; flags: string[]; json: boolean }> = [
  { kind: 'users', flags: ['--format', 'json'], json: true },
  { kind: 'users', flags: ['--json'], json: true },
  { kind: 'users', flags: ['--format', 'table'], json: false },
  { kind: 'robots', flags: ['--format', 'json'], json: true },
  { kind: 'robots', flags: [], json: false },
];
for (const c of listFormats) {
  test(`${c.kind} list ${c.flags.join(' ') || '(no flags)'} prints ${c.json ? 'JSON' : 'a table'}`, async () => {
    const dir = join(await tempDir('list-format'), 'data');
    assert.equal((await bosun(['users', 'add', 'carol', '--data', dir, '--password-stdin'], 'carol password\n')).status, 0);
    assert.equal((await bosun(['robots', 'add', 'ci', '--data', dir])).status, 0);
    const r = await bosun([c.kind, 'list', '--data', dir, ...c.flags]);
    assert.equal(r.status, 0, r.stderr);
    if (c.json) assert.deepEqual((JSON.parse(r.stdout) as Array<{ name: string }>).map((a) => a.name), [c.kind === 'users' ? 'carol' : 'robot$ci']);
    else assert.match(r.stdout, /^NAME +CREATED +GRANTS\n/);
  });
}

test('users list --format yaml is refused with INPUT_INVALID', async () => {
  const r = await bosun(['users', 'list', '--data', data, '--format', 'yaml']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^bosun: INPUT_INVALID:/);
});
