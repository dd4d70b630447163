// bin/bosun.js runs compiled dist/ only when it was built from the sources src/ holds now.
// A throwaway package tree (bin/ copied, node_modules linked) keeps the real dist/ out of it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { srcFingerprint } from '../../bin/src-fingerprint.mjs';

const repo = new URL('../..', import.meta.url).pathname;

test('bin/bosun.js: dist when its fingerprint matches src, the sources otherwise', () => {
  const root = mkdtempSync(join(tmpdir(), 'bosun-bin-'));
  cpSync(join(repo, 'bin'), join(root, 'bin'), { recursive: true });
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'));
  writeFileSync(join(root, 'package.json'), '{"type":"module"}\n');
  mkdirSync(join(root, 'src/cli'), { recursive: true });
  mkdirSync(join(root, 'dist/cli'), { recursive: true });
  writeFileSync(join(root, 'src/cli/main.ts'), "const from: string = 'src';\nconsole.log(from);\n");
  writeFileSync(join(root, 'dist/cli/main.js'), "console.log('dist');\n");
  const run = () => spawnSync(process.execPath, [join(root, 'bin/bosun.js')], { encoding: 'utf8' }).stdout.trim();

  assert.equal(run(), 'src', 'no stamp: sources');
  writeFileSync(join(root, 'dist/.src-fingerprint'), srcFingerprint(root));
  assert.equal(run(), 'dist', 'stamp matches: dist');
  const later = new Date(Date.now() + 5000);
  utimesSync(join(root, 'src/cli/main.ts'), later, later);
  assert.equal(run(), 'src', 'a source changed after the build: sources');
});
