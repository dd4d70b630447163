/**
 * Kyverno pattern anchors, parsed from map keys. Pure.
 *
 * | key        | kind          | meaning in validate                                              |
 * |------------|---------------|------------------------------------------------------------------|
 * | `(k)`      | condition     | if `k` is absent or does not match, skip this map (not a failure) |
 * | `<(k)`     | global        | like condition, but the skip propagates to the enclosing list     |
 * | `^(k)`     | existence     | list `k`, when present, must have at least one matching element   |
 * | `=(k)`     | equality      | if `k` is present it must match                                   |
 * | `X(k)`     | negation      | `k` must be absent                                                |
 * | `+(k)`     | add-if-absent | mutate-only; ignored by validate                                  |
 */
export type AnchorKind = 'condition' | 'global' | 'existence' | 'equality' | 'negation' | 'add-if-absent';

export interface Anchor {
  readonly kind: AnchorKind;
  /** The resource key the anchor guards. */
  readonly key: string;
}

const PREFIXES: ReadonlyArray<readonly [string, AnchorKind]> = [
  ['<(', 'global'],
  ['^(', 'existence'],
  ['=(', 'equality'],
  ['X(', 'negation'],
  ['+(', 'add-if-absent'],
  ['(', 'condition'],
];

/** The anchor a pattern key carries, or undefined for a plain key. */
export function parseAnchor(key: string): Anchor | undefined {
  if (!key.endsWith(')')) return undefined;
  for (const [prefix, kind] of PREFIXES) {
    if (key.startsWith(prefix) && key.length > prefix.length + 1) {
      return { kind, key: key.slice(prefix.length, -1) };
    }
  }
  return undefined;
}

/** True when `pattern` contains an anchored key at any depth (bounded by `maxDepth`). */
export function hasNestedAnchor(pattern: unknown, maxDepth = 64): boolean {
  if (maxDepth <= 0) return false;
  if (Array.isArray(pattern)) return pattern.some((p) => hasNestedAnchor(p, maxDepth - 1));
  if (typeof pattern !== 'object' || pattern === null) return false;
  return Object.entries(pattern).some(([k, v]) => parseAnchor(k) !== undefined || hasNestedAnchor(v, maxDepth - 1));
}
