// What other extensions see: routes they add are guarded, `requestAccess` tells them who asks.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { requestAccess } from '../../src/registry/access/index.js';
import { basic, makeAuthApp, tokenFor, type AuthApp } from './access-helpers.js';

const password = 'correct horse battery';
let h: AuthApp;

before(async () => {
  h = await makeAuthApp([{ name: 'ops', password, grants: [{ pattern: 'team/**', actions: ['push'] }] }], {}, [
    (app) => {
      // Plays a later feature: one guarded route, one public one, both reporting what access says.
      const report = (request: Parameters<typeof requestAccess>[0]) => {
        const access = requestAccess(request);
        return { identity: access?.identity ?? null, via: access?.via ?? null, mayPush: access?.may('team/app', 'push') ?? null };
      };
      app.get('/_bosun/status', async (request) => report(request));
      app.get('/_bosun/health', { config: { access: 'public' } }, async (request) => report(request));
    },
  ]);
});
after(async () => h.close());

test('a route added by a later extension needs an account unless it is marked public', async () => {
  assert.equal((await h.app.inject({ method: 'GET', url: '/_bosun/status' })).statusCode, 401);
  const anonymous = await tokenFor(h.app, []);
  assert.equal((await h.app.inject({ method: 'GET', url: '/_bosun/status', headers: { authorization: `Bearer ${anonymous}` } })).statusCode, 401);
  const ok = await h.app.inject({ method: 'GET', url: '/_bosun/status', headers: { authorization: basic('ops', password) } });
  assert.deepEqual(JSON.parse(ok.body), { identity: { name: 'ops', kind: 'user' }, via: 'basic', mayPush: true });
  const open = await h.app.inject({ method: 'GET', url: '/_bosun/health' });
  assert.equal(open.statusCode, 200);
  assert.deepEqual(JSON.parse(open.body), { identity: null, via: null, mayPush: null });
});

test('requestAccess of a bearer request allows only what the token carries', async () => {
  const pullOnly = await tokenFor(h.app, ['repository:team/app:pull'], { user: 'ops', password });
  const res = await h.app.inject({ method: 'GET', url: '/_bosun/status', headers: { authorization: `Bearer ${pullOnly}` } });
  assert.deepEqual(JSON.parse(res.body), { identity: { name: 'ops', kind: 'user' }, via: 'bearer', mayPush: false });
});

test('paths no route serves want credentials first, so probing learns nothing', async () => {
  assert.equal((await h.app.inject({ method: 'GET', url: '/v2/nothing/here' })).statusCode, 401);
  assert.equal((await h.app.inject({ method: 'GET', url: '/v2/nothing/here', headers: { authorization: basic('ops', password) } })).statusCode, 404);
  assert.equal((await h.app.inject({ method: 'GET', url: '/v2/Bad..Name/manifests/v1', headers: {} })).statusCode, 400);
});
