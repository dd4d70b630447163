/**
 * Alias groups: advisories that describe one vulnerability under several ids (GHSA-…, PYSEC-…,
 * GO-…, a CVE they all alias) are joined by union-find over `aliases` and `related`, so a
 * report can show them as one finding. A group's id is the smallest advisory id in it (string
 * order), so it is stable while the group's members are.
 */
import type { Database } from 'better-sqlite3';

/** Recomputes `advisories.group_id` for every record; runs inside the caller's transaction. */
export function computeAliasGroups(db: Database): void {
  const ids = db.prepare('SELECT rowid, id FROM advisories').raw().all() as Array<[number, string]>;
  const uf = new UnionFind();
  const slotOfRow = new Map<number, number>();
  for (const [rowid, id] of ids) slotOfRow.set(rowid, uf.slot(id));
  for (const [target, advisory] of db.prepare('SELECT target, advisory FROM links').raw().iterate() as Iterable<[string, number]>) {
    const slot = slotOfRow.get(advisory);
    if (slot !== undefined) uf.union(slot, uf.slot(target));
  }
  const smallest = new Map<number, string>();
  for (const [rowid, id] of ids) {
    const root = uf.find(slotOfRow.get(rowid)!);
    const cur = smallest.get(root);
    if (cur === undefined || id < cur) smallest.set(root, id);
  }
  const set = db.prepare('UPDATE advisories SET group_id = ? WHERE rowid = ? AND group_id IS NOT ?');
  for (const [rowid] of ids) {
    const group = smallest.get(uf.find(slotOfRow.get(rowid)!))!;
    set.run(group, rowid, group);
  }
}

/** Union-find over strings with path halving and union by size. */
class UnionFind {
  private readonly slots = new Map<string, number>();
  private readonly parent: number[] = [];
  private readonly size: number[] = [];

  slot(key: string): number {
    let s = this.slots.get(key);
    if (s === undefined) {
      s = this.parent.length;
      this.slots.set(key, s);
      this.parent.push(s);
      this.size.push(1);
    }
    return s;
  }

  find(x: number): number {
    let i = x;
    while (this.parent[i] !== i) {
      this.parent[i] = this.parent[this.parent[i]!]!;
      i = this.parent[i]!;
    }
    return i;
  }

  union(a: number, b: number): void {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return;
    if (this.size[ra]! < this.size[rb]!) [ra, rb] = [rb, ra];
    this.parent[rb] = ra;
    this.size[ra]! += this.size[rb]!;
  }
}
