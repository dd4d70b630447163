import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, writeFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { bosunBin } from '../helpers/bosun-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const run = (...args: string[]) => spawnSync(process.execPath, [bosunBin, ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });

test('--version prints the package version and exits 0', () => {
  const r = run('--version');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
});

test('a reader that closes stdout early (`| head`) ends bosun quietly with 141, not a crash', async () => {
  const child = spawn(process.execPath, [bosunBin, '--help'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } });
  child.stdout.destroy(); // before the child has written anything: its first write meets EPIPE
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const [status] = (await once(child, 'close')) as [number | null];
  assert.equal(stderr, '');
  assert.equal(status, 141);
});

test('an unknown command exits 2', () => {
  assert.equal(run('no-such-command').status, 2);
});

test('clean empties the cache directory it is given', async () => {
  const dir = await tempDir('clean');
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(dir, 'blobs', 'sha256', 'ab'), 'x');
  const r = run('clean', '--cache-dir', dir);
  assert.equal(r.status, 0);
  assert.deepEqual(await readdir(dir), []);
});

test('every lazily loaded verb registers the command its entry names', async () => {
  const { commands } = await import('../../src/cli/commands/index.js');
  const { Command } = await import('commander');
  for (const entry of commands) {
    const program = new Command();
    (await entry.load())(program);
    assert.deepEqual(program.commands.map((c) => c.name()), [entry.name]);
  }
});

test('help lists every verb', () => {
  const r = run('--help');
  assert.equal(r.status, 0);
  for (const verb of ['inspect', 'copy', 'sbom', 'sign', 'verify', 'policy', 'registry', 'clean']) assert.match(r.stdout, new RegExp(`\\n  ${verb} `));
});

const selections = [
  { argv: ['--version'], want: [] },
  { argv: ['sbom', 'alpine', '-o', 'spdx-json'], want: ['sbom'] },
  { argv: ['--quiet', 'inspect', 'x'], want: ['inspect'] },
  { argv: ['help', 'copy'], want: ['copy'] },
  { argv: ['--help'], want: 'all' },
  { argv: ['no-such-verb'], want: 'all' }, // so the error can list the verbs
] as const;
for (const c of selections) {
  test(`entriesFor ${c.argv.join(' ')}`, async () => {
    const { commands, entriesFor } = await import('../../src/cli/commands/index.js');
    const got = entriesFor(c.argv).map((e) => e.name);
    assert.deepEqual(got, c.want === 'all' ? commands.map((e) => e.name) : c.want);
  });
}
