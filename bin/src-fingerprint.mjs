// The fingerprint of src/ that dist/ was compiled from: every .ts file's path, size and mtime.
// bin/bosun.js runs the compiled dist/ only when it matches, so an edited source is never
// shadowed by stale JavaScript (it then runs the sources through tsx, slower to start).
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export function srcFingerprint(root) {
  const src = join(root, 'src');
  const hash = createHash('sha256');
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) {
        const st = statSync(p);
        hash.update(`${relative(src, p)}\0${st.size}\0${st.mtimeMs}\n`);
      }
    }
  };
  walk(src);
  return hash.digest('hex');
}
