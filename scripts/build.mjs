// Compiles src/ to dist/ for bin/bosun.js (run by `npm ci` as the prepare script) and records
// the fingerprint of the sources it compiled. Writes into a temp directory and renames, so an
// interrupted build leaves no half-built dist/ that could pass for a whole one.
import { execFileSync } from 'node:child_process';
import { rmSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { srcFingerprint } from '../bin/src-fingerprint.mjs';

const root = new URL('..', import.meta.url).pathname;
const fingerprint = srcFingerprint(root);
const tmp = join(root, `.dist-tmp-${process.pid}`);
rmSync(tmp, { recursive: true, force: true });
try {
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', tmp], { stdio: 'inherit' });
  writeFileSync(join(tmp, '.src-fingerprint'), fingerprint);
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  renameSync(tmp, join(root, 'dist'));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
