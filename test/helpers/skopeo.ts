// skopeo (Debian's) as the registry interop tests drive it, and the digest an OCI layout names.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs `skopeo --insecure-policy args…`; resolves with its stdout, rejects on a non-zero exit. */
export async function skopeo(...args: string[]): Promise<string> {
  const { stdout } = await run('skopeo', ['--insecure-policy', ...args], { maxBuffer: 16 << 20 });
  return stdout;
}

/** The digest of the first manifest an OCI layout's index.json lists. */
export async function indexDigest(layout: string): Promise<string> {
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
  return index.manifests[0]!.digest;
}
