import type { Header } from 'tar-stream';
import { isBosunError, type ErrorCode } from '../errors.js';
import type { Content } from './content-store.js';
import { checkLinkTarget, maxPathBytes, normalizeEntryPath, toImagePath } from './paths.js';
import type { Resolved, TreeIndex, TreeNode } from './tree-index.js';

/** What applying one layer's entries needs. */
export interface ApplyContext {
  index: TreeIndex;
  /** True when an image-root-relative path (`usr/lib/os-release`) is to be captured. */
  isMatch: (relPath: string) => boolean;
  /** Index of the layer being applied, base = 0. */
  layer: number;
  /** Records a skipped or degraded entry; the read goes on. */
  problem: (code: ErrorCode, path: string, message: string) => void;
}

/**
 * Captures the body of the file entry being applied (`size` bytes, for image path `path`).
 * Called at most once per entry, and only when the entry's real path matches the globs.
 */
export type CaptureBody = (size: number, path: string) => Promise<Content>;

const whiteoutPrefix = '.wh.';
const opaqueMarker = '.wh..wh..opq';

/**
 * Applies one tar entry of a layer changeset to the tree (spec: image-spec layer.md).
 * Entry names are normalised (`./a`, `/a` → `a`); a name climbing above the root is skipped
 * with OCI_PATH_UNSAFE. Parent directories are resolved through symlinks already in the tree,
 * as extraction onto a filesystem would. Calls `capture` only for a file it keeps.
 */
export async function applyEntry(ctx: ApplyContext, header: Header, capture: CaptureBody): Promise<void> {
  const np = normalizeEntryPath(header.name);
  if (!np.ok) return ctx.problem('OCI_PATH_UNSAFE', header.name.slice(0, 200), `entry name ${np.reason}; skipped`);
  const name = np.parts[np.parts.length - 1];
  if (name === undefined) return; // the root directory itself
  const dirParts = np.parts.slice(0, -1);
  if (name.startsWith(whiteoutPrefix)) return applyWhiteout(ctx, dirParts, name);
  const parent = resolveOrRecord(ctx, dirParts, ctx.layer);
  if (!parent) return;
  const parts = [...parent.parts, name];
  if (Buffer.byteLength(toImagePath(parts)) > maxPathBytes) {
    // Reachable through symlinked parents; bounding it bounds the tree's depth.
    return ctx.problem('OCI_PATH_UNSAFE', toImagePath(parts).slice(0, 200), `resolved path is longer than ${maxPathBytes} bytes; skipped`);
  }
  switch (header.type) {
    case 'directory':
      return put(ctx, parent.node, name, { kind: 'dir', mode: header.mode ?? 0o755, size: 0, children: new Map() });
    case 'symlink':
      return applySymlink(ctx, parent.node, parts, header.linkname ?? '', header.mode);
    case 'link':
      return applyHardlink(ctx, parent.node, parts, header.linkname ?? '');
    case 'file':
    case 'contiguous-file':
      return applyFile(ctx, { dir: parent.node, parts, header, capture });
    default:
      // Devices and fifos carry no content a cataloger reads; they only replace what was there.
      ctx.index.remove(parent.node, name);
  }
}

function put(ctx: ApplyContext, dir: TreeNode, name: string, n: Omit<TreeNode, 'layer' | 'seen'>): void {
  ctx.index.put(dir, name, ctx.index.newNode({ ...n, layer: ctx.layer, seen: ctx.layer }));
}

function resolveOrRecord(ctx: ApplyContext, parts: string[], createLayer?: number): Resolved | undefined {
  try {
    return ctx.index.resolve(parts, true, createLayer);
  } catch (err) {
    if (!isBosunError(err, 'OCI_SYMLINK_LOOP', 'OCI_PATH_UNSAFE')) throw err;
    ctx.problem(err.code, toImagePath(parts), `parent directory: ${err.message}; entry skipped`);
    return undefined;
  }
}

// spec: image-spec layer.md, "Whiteouts" and "Opaque Whiteout"
function applyWhiteout(ctx: ApplyContext, dirParts: string[], name: string): void {
  const dir = resolveOrRecord(ctx, dirParts);
  if (name === opaqueMarker) {
    if (dir?.node.kind === 'dir') ctx.index.opaque(dir.node, ctx.layer);
    return;
  }
  // Other `.wh..wh.*` names are AUFS bookkeeping (plnk, aufs, orph), not changes.
  if (name.startsWith(whiteoutPrefix + whiteoutPrefix)) return;
  const target = name.slice(whiteoutPrefix.length);
  if (target === '' || target === '.' || target === '..') {
    ctx.problem('OCI_PATH_UNSAFE', toImagePath([...dirParts, name]), `whiteout names "${target}"; skipped`);
    return;
  }
  if (dir?.node.kind === 'dir') ctx.index.whiteout(dir.node, target, ctx.layer);
}

function applySymlink(ctx: ApplyContext, dir: TreeNode, parts: string[], target: string, mode = 0o777): void {
  const name = parts[parts.length - 1]!;
  const bad = checkLinkTarget(target);
  if (bad) {
    ctx.index.remove(dir, name);
    ctx.problem('OCI_PATH_UNSAFE', toImagePath(parts), `symlink target ${bad}; skipped`);
    return;
  }
  put(ctx, dir, name, { kind: 'symlink', mode, size: Buffer.byteLength(target), linkTarget: target });
}

function applyHardlink(ctx: ApplyContext, dir: TreeNode, parts: string[], linkname: string): void {
  const name = parts[parts.length - 1]!;
  const path = toImagePath(parts);
  const np = normalizeEntryPath(linkname);
  const target = np.ok ? lookupNoFollow(ctx, np.parts) : undefined;
  if (target?.node.kind === 'symlink') {
    // link(2) does not follow a final symlink: the new name is another symlink.
    return put(ctx, dir, name, { kind: 'symlink', mode: target.node.mode, size: target.node.size, linkTarget: target.node.linkTarget! });
  }
  if (!ctx.isMatch(parts.join('/'))) return ctx.index.remove(dir, name);
  if (!np.ok || target?.node.kind === 'dir' || target?.node.kind === 'other') {
    ctx.index.remove(dir, name);
    return ctx.problem('OCI_PATH_UNSAFE', path, `hard link to "${linkname.slice(0, 200)}" is not allowed; skipped`);
  }
  if (!target?.node.content) {
    ctx.problem('OCI_FILE_NOT_CAPTURED', path, `hard link target "${linkname.slice(0, 200)}" is missing or matched no glob`);
  }
  put(ctx, dir, name, {
    kind: 'hardlink',
    mode: target?.node.mode ?? 0o644,
    size: target?.node.size ?? 0,
    linkTarget: target ? toImagePath(target.parts) : toImagePath(np.parts),
    content: target?.node.content ?? { state: 'missing', code: 'OCI_FILE_NOT_CAPTURED', reason: `${path}: hard link target was not captured` },
  });
}

function lookupNoFollow(ctx: ApplyContext, parts: string[]): Resolved | undefined {
  try {
    return ctx.index.resolve(parts, false);
  } catch (err) {
    if (isBosunError(err, 'OCI_SYMLINK_LOOP')) return undefined;
    throw err;
  }
}

interface FileEntryArgs {
  dir: TreeNode;
  parts: string[];
  header: Header;
  capture: CaptureBody;
}

async function applyFile(ctx: ApplyContext, a: FileEntryArgs): Promise<void> {
  const name = a.parts[a.parts.length - 1]!;
  if (!ctx.isMatch(a.parts.join('/'))) return ctx.index.remove(a.dir, name);
  const path = toImagePath(a.parts);
  const size = a.header.size ?? 0;
  const content = await a.capture(size, path);
  if (content.state === 'missing') ctx.problem(content.code, path, content.reason);
  put(ctx, a.dir, name, { kind: 'file', mode: a.header.mode ?? 0o644, size, content });
}
