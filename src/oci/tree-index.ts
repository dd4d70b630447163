import { BosunError } from '../errors.js';
import { maxPathBytes, maxSymlinkHops, toImagePath } from './paths.js';
import type { Content } from './content-store.js';
import type { FileKind } from './types.js';

/**
 * One path of the squashed tree. Only directories, symlinks and files that matched the
 * registered globs get a node: that is all whiteouts and symlink resolution need, and it keeps
 * memory proportional to the interesting part of the image.
 */
export interface TreeNode {
  kind: FileKind;
  mode: number;
  size: number;
  /** Index of the layer that wrote this node. */
  layer: number;
  /** Highest layer index that wrote this node or anything below it (decides what whiteouts hide). */
  seen: number;
  linkTarget?: string;
  children?: Map<string, TreeNode>;
  content?: Content;
}

/** A resolved path: the real components and the node they lead to. */
export interface Resolved {
  parts: string[];
  node: TreeNode;
}

// The deepest directory a PATH_MAX-long path can name; creating deeper ones (through symlinked
// parents) is refused so the tree's depth stays bounded.
const maxCreateDepth = maxPathBytes / 2;

interface Frame {
  name: string;
  node: TreeNode;
}

/**
 * The in-memory index of a squashed image's paths. It applies the image-spec changeset rules
 * (spec: image-spec layer.md, "Whiteouts") layer by layer as entries stream past, so the tar
 * order inside a layer does not matter: whiteouts and opaque markers only hide what lower layers
 * wrote (`seen < layer`), never what their own layer wrote.
 */
export class TreeIndex {
  readonly root: TreeNode = { kind: 'dir', mode: 0o755, size: 0, layer: -1, seen: -1, children: new Map() };
  private nodeCount = 1;

  constructor(private readonly maxNodes: number) {}

  get size(): number {
    return this.nodeCount;
  }

  /**
   * Resolves `parts` from the root, following symlinks (relative ones from their directory,
   * absolute ones from the image root, `..` clamped at the root as in a chroot). The final
   * component is followed only when `followLast`. With `createLayer` (resolving a directory for
   * a tar entry), missing or non-directory components become directories of that layer, as tar
   * extraction creates parents.
   * Returns undefined when a component is missing or not a directory; throws OCI_SYMLINK_LOOP
   * after 40 symlinks, and OCI_PATH_UNSAFE when creating directories deeper than PATH_MAX allows.
   */
  resolve(parts: readonly string[], followLast: boolean, createLayer?: number): Resolved | undefined {
    const pending = [...parts].reverse();
    const stack: Frame[] = [{ name: '', node: this.root }];
    let hops = 0;
    while (pending.length > 0) {
      const name = pending.pop()!;
      if (name === '' || name === '.') continue;
      if (name === '..') {
        if (stack.length > 1) stack.pop();
        continue;
      }
      const dir = stack[stack.length - 1]!.node;
      let child = dir.children?.get(name);
      const isLast = pending.length === 0;
      if (child?.kind === 'symlink' && (!isLast || followLast)) {
        if (++hops > maxSymlinkHops) {
          throw new BosunError('OCI_SYMLINK_LOOP', `"${toImagePath(parts)}": more than ${maxSymlinkHops} symlinks`);
        }
        const target = child.linkTarget ?? '';
        if (target.startsWith('/')) stack.length = 1;
        if (target === '') return undefined;
        pending.push(...target.split('/').reverse());
        continue;
      }
      if (createLayer !== undefined && child?.kind !== 'dir') {
        if (stack.length > maxCreateDepth) {
          throw new BosunError('OCI_PATH_UNSAFE', `"${toImagePath(parts)}": resolves deeper than ${maxCreateDepth} directories`);
        }
        child = this.newNode({ kind: 'dir', mode: 0o755, size: 0, layer: createLayer, seen: createLayer, children: new Map() });
        this.put(dir, name, child);
      }
      if (child === undefined || (!isLast && child.kind !== 'dir')) return undefined;
      stack.push({ name, node: child });
    }
    if (createLayer !== undefined) for (const f of stack) f.node.seen = Math.max(f.node.seen, createLayer);
    return { parts: stack.slice(1).map((f) => f.name), node: stack[stack.length - 1]!.node };
  }

  /** Makes a node, counting it against the cap (LIMIT_EXCEEDED past it). */
  newNode(n: TreeNode): TreeNode {
    if (++this.nodeCount > this.maxNodes) {
      throw new BosunError('LIMIT_EXCEEDED', `image tree has more than ${this.maxNodes} tracked paths`);
    }
    return n;
  }

  /**
   * Places `node` at `dir/name`. A directory over a directory keeps the lower children (tar
   * extraction updates the directory's metadata); anything else replaces the old subtree.
   */
  put(dir: TreeNode, name: string, node: TreeNode): void {
    const old = dir.children!.get(name);
    if (old?.kind === 'dir' && node.kind === 'dir') {
      old.mode = node.mode;
      old.layer = node.layer;
      old.seen = Math.max(old.seen, node.seen);
      this.nodeCount--;
      return;
    }
    if (old) this.drop(old);
    dir.children!.set(name, node);
  }

  /** Removes `dir/name` (and its subtree) if present. */
  remove(dir: TreeNode, name: string): void {
    const old = dir.children?.get(name);
    if (!old) return;
    this.drop(old);
    dir.children!.delete(name);
  }

  /** spec: layer.md whiteouts: `.wh.<name>` in layer `layer` hides what lower layers wrote there. */
  whiteout(dir: TreeNode, name: string, layer: number): void {
    const old = dir.children?.get(name);
    if (!old) return;
    if (old.seen < layer) this.remove(dir, name);
    else if (old.kind === 'dir') this.opaque(old, layer);
  }

  /** spec: layer.md opaque whiteout: hides every lower-layer child of `dir`, recursively. */
  opaque(dir: TreeNode, layer: number): void {
    const dirs = [dir]; // a loop, not recursion: hostile trees can be deep
    while (dirs.length > 0) {
      const d = dirs.pop()!;
      for (const [name, child] of [...(d.children ?? [])]) {
        if (child.seen < layer) this.remove(d, name);
        else if (child.kind === 'dir') dirs.push(child);
      }
    }
  }

  /** Depth-first walk in byte order of names; yields nodes with their real paths. */
  *walk(): Generator<Resolved> {
    const stack: Resolved[] = [{ parts: [], node: this.root }];
    while (stack.length > 0) {
      const cur = stack.pop()!;
      yield cur;
      const kids = [...(cur.node.children ?? [])].sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0));
      for (const [name, node] of kids) stack.push({ parts: [...cur.parts, name], node });
    }
  }

  private drop(node: TreeNode): void {
    const stack = [node];
    while (stack.length > 0) {
      const n = stack.pop()!;
      this.nodeCount--;
      if (n.children) stack.push(...n.children.values());
    }
  }
}
