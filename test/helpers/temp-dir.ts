// Temporary directories for tests, removed when the test file's process exits.
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Set<string>();

function removeAll(): void {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
}

/**
 * A fresh directory under the system temp dir. It is removed when the process exits rather than
 * in an `after` hook: hooks registered from inside `before` run ahead of the file's own `after`,
 * which would delete a directory before the servers using it are closed.
 */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `bosun-test-${prefix}-`));
  if (made.size === 0) process.once('exit', removeAll);
  made.add(dir);
  return dir;
}
