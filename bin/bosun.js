#!/usr/bin/env node
// The published entry. `npm ci` compiles src/ to dist/ (scripts/build.mjs); that JavaScript
// starts three times faster than compiling TypeScript on every start. When dist/ is missing or
// was built from other sources than src/ holds now, the sources run through tsx instead.
import { existsSync, readFileSync } from 'node:fs';
import { srcFingerprint } from './src-fingerprint.mjs';

const root = new URL('..', import.meta.url).pathname;
const stamp = `${root}dist/.src-fingerprint`;
if (existsSync(stamp) && readFileSync(stamp, 'utf8') === srcFingerprint(root)) {
  await import('../dist/cli/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
