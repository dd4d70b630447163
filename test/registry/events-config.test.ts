import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadRegistryConfig, parseRegistryConfig } from '../../src/registry/config.js';
import { RegistryEvents, type RegistryEvent } from '../../src/registry/events.js';
import { imageManifest, makeApp, putManifest } from './helpers.js';
import { tempDir } from '../helpers/temp-dir.js';

test('push, pull and delete emit events with the actor, repo, digest and tag', async () => {
  const seen: RegistryEvent[] = [];
  const events = new RegistryEvents();
  events.on((e) => {
    seen.push(e);
  });
  const app = await makeApp({
    events,
    // An extension runs before the routes: here it plays the auth layer and names the caller.
    extensions: [
      (a) => {
        a.addHook('onRequest', async (request) => {
          request.identity = { name: 'ci-bot', kind: 'robot' };
        });
      },
    ],
  });
  const image = await imageManifest(app, 'team/app');
  assert.equal((await putManifest(app, 'team/app', 'v1', image.raw)).statusCode, 201);
  assert.equal((await app.inject({ method: 'HEAD', url: '/v2/team/app/manifests/v1' })).statusCode, 200);
  assert.equal((await app.inject({ method: 'GET', url: '/v2/team/app/manifests/v1' })).statusCode, 200);
  assert.equal((await app.inject({ method: 'DELETE', url: '/v2/team/app/manifests/v1' })).statusCode, 202);
  assert.deepEqual(
    seen.map((e) => [e.type, 'repo' in e ? e.repo : '', 'digest' in e ? e.digest : undefined, 'tag' in e ? e.tag : undefined]),
    [
      ['push', 'team/app', image.digest, 'v1'],
      ['pull', 'team/app', image.digest, 'v1'],
      ['delete', 'team/app', undefined, 'v1'],
    ],
  );
  assert.deepEqual((seen[0] as Extract<RegistryEvent, { type: 'push' }>).actor, { name: 'ci-bot', kind: 'robot', ip: '127.0.0.1' });
  await app.close();
});

test('a failing listener neither fails the request nor stops other listeners', async () => {
  const errors: string[] = [];
  const events = new RegistryEvents((err) => errors.push((err as Error).message));
  let delivered = 0;
  events.on(() => {
    throw new Error('sync boom');
  });
  events.on(async () => {
    throw new Error('async boom');
  });
  events.on(() => {
    delivered++;
  });
  const app = await makeApp({ events });
  const image = await imageManifest(app, 'a');
  assert.equal((await putManifest(app, 'a', 'v1', image.raw)).statusCode, 201);
  await new Promise((r) => setImmediate(r));
  assert.equal(delivered, 1);
  assert.deepEqual(errors.sort(), ['async boom', 'sync boom']);
  await app.close();
});

test('registry config: defaults, YAML file, and refusals that name the key', async () => {
  // The base keys only: each feature's section has its own defaults test.
  const { addr, data, logLevel, staleUploadHours } = parseRegistryConfig({});
  assert.deepEqual({ addr, data, logLevel, staleUploadHours }, { addr: '127.0.0.1:5000', data: './registry-data', logLevel: 'info', staleUploadHours: 24 });
  const dir = await tempDir('regcfg');
  const file = join(dir, 'registry.yaml');
  await writeFile(file, 'addr: 127.0.0.1:5050\ndata: /srv/registry\n');
  const config = await loadRegistryConfig(file);
  assert.equal(config.addr, '127.0.0.1:5050');
  assert.equal(config.data, '/srv/registry');
  const bad: [string, string][] = [
    ['unknown key (a typo must not silently disable a setting)', 'adress: x\n'],
    ['wrong type', 'staleUploadHours: soon\n'],
    ['unknown auth key', 'auth:\n  anonymousPul: ["**"]\n'],
    ['bad anonymous pattern', 'auth:\n  anonymousPull: ["Team/**"]\n'],
    ['token TTL under a minute', 'auth:\n  tokenTtlSeconds: 5\n'],
    ['realm with a quote', 'auth:\n  realm: \'http://x/"token\'\n'],
    ['not YAML', 'a: [\n'],
  ];
  for (const [why, text] of bad) {
    await writeFile(file, text);
    await assert.rejects(loadRegistryConfig(file), { code: 'REGISTRY_CONFIG_INVALID' }, why);
  }
  await assert.rejects(loadRegistryConfig(join(dir, 'missing.yaml')), { code: 'REGISTRY_CONFIG_INVALID' });
});
