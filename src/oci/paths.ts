/**
 * Path rules shared by the layer reader and the rootfs tree. Image paths are handled as lists of
 * components relative to the image root; nothing here touches the host filesystem.
 */

/** Longest path (bytes) or symlink target accepted, as Linux PATH_MAX. */
export const maxPathBytes = 4096;
/** Longest single component (bytes), as Linux NAME_MAX. */
export const maxNameBytes = 255;
/** Symlinks followed while resolving one path, as Linux's limit (40). */
export const maxSymlinkHops = 40;

/** The outcome of normalising a tar entry name: components, or why the name was refused. */
export type EntryPath = { ok: true; parts: string[] } | { ok: false; reason: string };

/**
 * Normalises a tar entry name (or a hard link target) to components under the image root.
 * A leading `/` or `./` is dropped and `a/../b` folds to `b`, but a name that climbs above the
 * root (`../etc/passwd`) is refused rather than clamped: no layer builder writes one, so it is
 * hostile. NUL bytes, over-long names and over-long components are refused too.
 */
export function normalizeEntryPath(name: string): EntryPath {
  if (name.includes('\0')) return { ok: false, reason: 'contains a NUL byte' };
  if (Buffer.byteLength(name) > maxPathBytes) return { ok: false, reason: `longer than ${maxPathBytes} bytes` };
  const parts: string[] = [];
  for (const p of name.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (parts.length === 0) return { ok: false, reason: 'climbs above the image root' };
      parts.pop();
      continue;
    }
    if (Buffer.byteLength(p) > maxNameBytes) return { ok: false, reason: `has a component longer than ${maxNameBytes} bytes` };
    parts.push(p);
  }
  return { ok: true, parts };
}

/** Checks a symlink target as stored; resolution happens later, clamped at the root. */
export function checkLinkTarget(target: string): string | undefined {
  if (target.includes('\0')) return 'contains a NUL byte';
  if (Buffer.byteLength(target) > maxPathBytes) return `longer than ${maxPathBytes} bytes`;
  return undefined;
}

/** `['usr', 'lib']` → `/usr/lib`; `[]` → `/`. */
export function toImagePath(parts: readonly string[]): string {
  return '/' + parts.join('/');
}

/**
 * Splits a caller's path (`/etc/os-release`, `etc/os-release`) into components for a lookup.
 * `..` is kept: lookups resolve it against real directories, clamped at the root.
 */
export function lookupParts(path: string): string[] {
  return path.split('/').filter((p) => p !== '' && p !== '.');
}

/** Strips a leading `/` so globs and paths are image-root-relative, as picomatch expects. */
export function globPath(pattern: string): string {
  return pattern.replace(/^\/+/, '');
}
