import { BosunError } from '../errors.js';
import { isDigest, type Digest } from './digest.js';

// spec: distribution/reference grammar (reference.go, normalize.go), as docker users know it:
//   reference  := name [ ":" tag ] [ "@" digest ]
//   name       := [ domain "/" ] path-component ( "/" path-component )*
//   domain     := host [ ":" port ]     host := dns-name | IPv4 | "[" IPv6 "]"
//   path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
//   tag        := [\w][\w.-]{0,127}

/** A parsed image reference. `tag` defaults to `latest` only when neither tag nor digest is given. */
export interface Reference {
  /** Registry host as users write it, with port; `docker.io` for Docker Hub. */
  registry: string;
  /** Repository path, e.g. `library/alpine`. */
  repository: string;
  tag?: string;
  digest?: Digest;
}

export const dockerHub = 'docker.io';
/** The host that actually serves Docker Hub's distribution API. */
export const dockerHubApiHost = 'registry-1.docker.io';
/** The key `docker login` writes for Docker Hub in config.json, and what credential helpers expect. */
export const dockerHubConfigKey = 'https://index.docker.io/v1/';

const maxNameLength = 255;
// Bounds the work (and message size) for hostile input long before any regex runs.
const maxReferenceLength = 4096;

const pathComponent = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const tagPattern = /^\w[\w.-]{0,127}$/;
const dnsLabel = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainPattern = new RegExp(`^(?:${dnsLabel}(?:\\.${dnsLabel})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);

function quote(s: string): string {
  return JSON.stringify(s.length > 140 ? `${s.slice(0, 140)}…` : s);
}

function invalid(part: string, value: string, input: string): BosunError {
  return new BosunError('OCI_REFERENCE_INVALID', `invalid ${part} ${quote(value)} in reference ${quote(input)}`);
}

// Like docker's splitDockerDomain: the first component is a registry host when it looks like
// one (a dot, a port, `localhost`, or uppercase letters, which a repository may not have).
function isDomainLike(component: string): boolean {
  return /[.:]/.test(component) || component === 'localhost' || component !== component.toLowerCase();
}

function splitName(name: string, input: string): { registry: string; repository: string } {
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  let registry = dockerHub;
  let repository = name;
  if (slash !== -1 && (isDomainLike(first) || first.startsWith('['))) {
    registry = first;
    repository = name.slice(slash + 1);
    if (!domainPattern.test(registry)) throw invalid('registry host', registry, input);
    registry = registry.toLowerCase();
    if (registry === 'index.docker.io') registry = dockerHub;
  }
  if (repository === '') throw invalid('repository', repository, input);
  for (const component of repository.split('/')) {
    if (!pathComponent.test(component)) {
      const why = component !== component.toLowerCase() ? 'repository (must be lowercase)' : 'repository path component';
      throw invalid(why, component, input);
    }
  }
  if (registry === dockerHub && !repository.includes('/')) repository = `library/${repository}`;
  return { registry, repository };
}

/**
 * Parses an image reference the way docker does: `alpine` is `docker.io/library/alpine:latest`,
 * `index.docker.io` becomes `docker.io`, and `name:tag@digest` keeps both (the digest wins when
 * pulling). Throws OCI_REFERENCE_INVALID naming the offending part.
 */
export function parseReference(s: string): Reference {
  if (s.length > maxReferenceLength) throw invalid('reference (too long)', s, s);
  if (s === '') throw new BosunError('OCI_REFERENCE_INVALID', 'invalid reference: empty string');
  let rest = s;
  let digest: Digest | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    const d = rest.slice(at + 1);
    if (!isDigest(d)) throw invalid('digest', d, s);
    digest = d;
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  // A colon after the last slash separates the tag; one before it belongs to a registry port.
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!tagPattern.test(tag)) throw invalid('tag', tag, s);
  }
  if (rest.length > maxNameLength) throw invalid(`name (longer than ${maxNameLength} characters)`, rest, s);
  const { registry, repository } = splitName(rest, s);
  const ref: Reference = { registry, repository };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  if (tag === undefined && digest === undefined) ref.tag = 'latest';
  return ref;
}

/** Parses a repository name without tag or digest (for listing tags); throws OCI_REFERENCE_INVALID. */
export function parseRepository(s: string): Pick<Reference, 'registry' | 'repository'> {
  const ref = parseReference(s);
  if (ref.digest !== undefined || s.slice(s.lastIndexOf('/') + 1).includes(':')) {
    throw invalid('repository (a tag or digest is not allowed here)', s, s);
  }
  return { registry: ref.registry, repository: ref.repository };
}

export interface FormatOptions {
  /** Docker's short form: drop `docker.io/` and `library/`, as `docker images` shows names. */
  familiar?: boolean;
}

/** Formats a reference; `parseReference(formatReference(r))` gives back `r`. */
export function formatReference(ref: Reference, opts: FormatOptions = {}): string {
  let name = `${ref.registry}/${ref.repository}`;
  // A first component that looks like a host must keep its `docker.io/` to parse back the same.
  if (opts.familiar && ref.registry === dockerHub && !isDomainLike(ref.repository.split('/')[0]!)) {
    name = ref.repository.startsWith('library/') && ref.repository.split('/').length === 2 ? ref.repository.slice(8) : ref.repository;
  }
  return `${name}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** The host serving the distribution API for a registry (`registry-1.docker.io` for Docker Hub). */
export function apiHost(registry: string): string {
  return registry === dockerHub ? dockerHubApiHost : registry;
}

/** The reference's manifest identifier: the digest when present, else the tag. */
export function identifierOf(ref: Reference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}
