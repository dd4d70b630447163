import { matchWildcard, hasWildcard } from './wildcard.js';
import type { LabelSelector, MatchResources, ResourceDescription, ResourceFilter, Subject } from './model.js';
import type { KubeObject } from './model.js';
import type { PolicyRequest, RequestUser } from './types.js';

/**
 * `match` / `exclude` evaluation, following Kyverno: inside one filter every attribute must
 * hold (AND) and each list attribute is an OR; `any` needs one filter, `all` every filter.
 * When the request carries no user information (a CLI run without a userinfo file), user
 * attributes are ignored in `match` but still required in `exclude`.
 */
export interface Gvk { readonly group: string; readonly version: string; readonly kind: string }

/** True when `rule` selects the request: it matches and is not excluded. */
export function ruleSelects(match: MatchResources, exclude: MatchResources | null | undefined, req: PolicyRequest): boolean {
  if (!matches(match, req)) return false;
  return !exclude || !excludes(exclude, req);
}

function filters(m: MatchResources): { any?: ResourceFilter[]; all?: ResourceFilter[]; single?: ResourceFilter } {
  if (m.any && m.any.length > 0) return { any: m.any };
  if (m.all && m.all.length > 0) return { all: m.all };
  return { single: { resources: m.resources, subjects: m.subjects, roles: m.roles, clusterRoles: m.clusterRoles } };
}

function matches(m: MatchResources, req: PolicyRequest): boolean {
  const ignoreUser = !hasUserInfo(req.user);
  const f = filters(m);
  const ok = (rf: ResourceFilter): boolean => !isEmptyFilter(rf, ignoreUser) && filterHolds(rf, req, ignoreUser);
  if (f.any) return f.any.some(ok);
  if (f.all) return f.all.every(ok);
  return ok(f.single as ResourceFilter);
}

function excludes(m: MatchResources, req: PolicyRequest): boolean {
  const f = filters(m);
  const ok = (rf: ResourceFilter): boolean => !isEmptyFilter(rf, false) && filterHolds(rf, req, false);
  if (f.any) return f.any.some(ok);
  if (f.all) return f.all.every(ok);
  return ok(f.single as ResourceFilter);
}

function hasUserInfo(u: RequestUser | undefined): boolean {
  return !!u && (!!u.username || !!u.uid || (u.groups?.length ?? 0) > 0 || (u.roles?.length ?? 0) > 0 || (u.clusterRoles?.length ?? 0) > 0);
}

function isEmptyFilter(rf: ResourceFilter, ignoreUser: boolean): boolean {
  const r = rf.resources;
  const hasResource = !!r && Object.values(r).some((v) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0));
  const hasUser = !ignoreUser && ((rf.subjects?.length ?? 0) > 0 || (rf.roles?.length ?? 0) > 0 || (rf.clusterRoles?.length ?? 0) > 0);
  return !hasResource && !hasUser;
}

function filterHolds(rf: ResourceFilter, req: PolicyRequest, ignoreUser: boolean): boolean {
  if (rf.resources && !resourceHolds(rf.resources, req)) return false;
  if (ignoreUser) return true;
  const u = req.user ?? {};
  if (rf.roles?.length && !rf.roles.some((r) => u.roles?.includes(r))) return false;
  if (rf.clusterRoles?.length && !rf.clusterRoles.some((r) => u.clusterRoles?.includes(r))) return false;
  if (rf.subjects?.length && !rf.subjects.some((s) => subjectHolds(s, u))) return false;
  return true;
}

function resourceHolds(d: ResourceDescription, req: PolicyRequest): boolean {
  const r = req.resource;
  const meta = r.metadata ?? {};
  const name = meta.name || meta.generateName || '';
  if (d.kinds?.length && !kindMatches(d.kinds, requestGvk(req), req.subresource?.name ?? '')) return false;
  if (d.name && !matchWildcard(d.name, name)) return false;
  if (d.names?.length && !d.names.some((n) => matchWildcard(n, name))) return false;
  if (d.namespaces?.length) {
    const ns = r.kind === 'Namespace' ? name : meta.namespace ?? '';
    if (!d.namespaces.some((n) => matchWildcard(n, ns))) return false;
  }
  if (d.annotations && Object.keys(d.annotations).length && !annotationsHold(d.annotations, meta.annotations ?? {})) return false;
  if (d.selector && !selectorHolds(d.selector, meta.labels ?? {})) return false;
  if (d.namespaceSelector && r.kind !== 'Namespace' && !selectorHolds(d.namespaceSelector, req.namespaceLabels ?? {})) return false;
  if (d.operations?.length && !d.operations.includes(req.operation)) return false;
  return true;
}

/** The resource's group/version/kind, or its parent's for a subresource request. */
export function requestGvk(req: PolicyRequest): Gvk {
  if (req.subresource) return { group: req.subresource.parentGroup, version: req.subresource.parentVersion, kind: req.subresource.parentKind };
  return objectGvk(req.resource);
}

/** Group/version/kind of an object from its apiVersion and kind. */
export function objectGvk(o: KubeObject): Gvk {
  const av = o.apiVersion ?? '';
  const slash = av.lastIndexOf('/');
  return { group: slash < 0 ? '' : av.slice(0, slash), version: slash < 0 ? av : av.slice(slash + 1), kind: o.kind ?? '' };
}

interface KindSelector { group: string; version: string; kind: string; subresource: string }

const isKindName = (s: string): boolean => s === '*' || /^[A-Z]/.test(s);

/** Parses Kyverno kind selectors: `Kind`, `Kind/sub`, `v1/Kind`, `group/v1/Kind`, `group/v1/Kind/sub`. */
export function parseKindSelector(s: string): KindSelector {
  const p = s.split('/');
  const [a = '', b = '', c = '', d = ''] = p;
  if (p.length === 1) return { group: '*', version: '*', kind: a, subresource: '' };
  if (p.length === 2) return isKindName(a) && !isKindName(b) ? { group: '*', version: '*', kind: a, subresource: b } : { group: '*', version: a, kind: b, subresource: '' };
  if (p.length === 3) return isKindName(c) ? { group: a, version: b, kind: c, subresource: '' } : { group: '*', version: a, kind: b, subresource: c };
  return { group: a, version: b, kind: c, subresource: d };
}

/** True when one of `selectors` names the kind (and subresource) of the request. */
export function kindMatches(selectors: readonly string[], gvk: Gvk, subresource: string): boolean {
  return selectors.some((s) => {
    const k = parseKindSelector(s);
    if (!matchWildcard(k.kind, gvk.kind) || !matchWildcard(k.group, gvk.group) || !matchWildcard(k.version, gvk.version)) return false;
    if (k.kind === '*') return true;
    // Kyverno keeps matching Pod rules on ephemeralcontainers for backward compatibility.
    if (k.subresource === '' && subresource === 'ephemeralcontainers' && gvk.kind === 'Pod') return true;
    return matchWildcard(k.subresource, subresource);
  });
}

function annotationsHold(want: Record<string, string>, have: Record<string, string>): boolean {
  return Object.entries(want).every(([k, v]) => Object.entries(have).some(([hk, hv]) => matchWildcard(k, hk) && matchWildcard(v, String(hv))));
}

/** Kubernetes label selector semantics, with Kyverno's wildcards in matchLabels keys and values. */
export function selectorHolds(sel: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    const keys = hasWildcard(k) ? Object.keys(labels).filter((lk) => matchWildcard(k, lk)) : Object.hasOwn(labels, k) ? [k] : [];
    if (!keys.some((lk) => matchWildcard(v, String(labels[lk])))) return false;
  }
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In': if (!has || !values.includes(String(labels[e.key]))) return false; break;
      case 'NotIn': if (has && values.includes(String(labels[e.key]))) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

function subjectHolds(s: Subject, u: RequestUser): boolean {
  switch (s.kind) {
    case 'ServiceAccount': return u.username === `system:serviceaccount:${s.namespace ?? ''}:${s.name}`;
    case 'User': return !!u.username && matchWildcard(s.name, u.username);
    case 'Group': return (u.groups ?? []).some((g) => matchWildcard(s.name, g));
    default: return false;
  }
}
