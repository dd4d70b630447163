import type { Digest } from '../../oci/digest.js';
import { identifierOf, type Reference } from '../../oci/reference.js';
import { Repository } from '../../oci/remote/index.js';
import type { RemoteOptions } from '../../oci/remote/index.js';
import type { AttachmentKind, Attachments } from '../../sign/oci/index.js';
import { readAttached } from '../../sign/oci/index.js';

type Repo = Pick<Reference, 'registry' | 'repository'>;

/**
 * Where images' digests and signature material come from. The default reads the registry the
 * way `bosun verify` does (`registrySource`); tests plug in other sources here.
 */
export interface SignatureSource {
  /**
   * Material attached to `digest` in `repo` (cosign `.sig`/`.att` tags and Sigstore bundle
   * referrers); empty lists when there is none.
   */
  find(repo: Repo, digest: Digest, kind: AttachmentKind, signal?: AbortSignal): Promise<Attachments>;
  /** The digest a tag names now; called once per tag per request. */
  resolve(ref: Reference, signal?: AbortSignal): Promise<Digest>;
}

/** Registry sessions kept (one per repository: the ping and token are paid once). */
const maxSessions = 1000;

/**
 * Reads the registry with `src/sign/oci` (`readAttached`, `Repository.resolve`): the same
 * layouts and limits as `bosun verify`. `optionsFor(registry)` gives TLS/auth. Sessions are kept
 * per repository (least recently used dropped beyond 1000). A request's abort signal does not
 * cancel a registry read, which other requests may be sharing; the caller stops waiting instead.
 */
export function registrySource(optionsFor: (registry: string) => RemoteOptions): SignatureSource {
  const sessions = new Map<string, Repository>();
  const session = (repo: Repo): Repository => {
    const key = `${repo.registry}/${repo.repository}`;
    let r = sessions.get(key);
    if (r) sessions.delete(key);
    else r = new Repository(repo.registry, repo.repository, 'pull', optionsFor(repo.registry));
    if (sessions.size >= maxSessions) sessions.delete(sessions.keys().next().value!);
    sessions.set(key, r);
    return r;
  };
  return {
    find: (repo, digest, kind) => readAttached(session(repo), digest, kind),
    resolve: (ref) => session(ref).resolve(identifierOf(ref)),
  };
}
