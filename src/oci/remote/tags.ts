import { z } from 'zod';
import { BosunError } from '../../errors.js';
import { limits } from '../limits.js';
import { parseRepository, type Reference } from '../reference.js';
import { readAll } from '../read-all.js';
import { guardBody } from './fetch.js';
import type { RemoteOptions } from './options.js';
import { Session } from './session.js';

/** Bounds on `listTags`, so a hostile registry cannot make it page forever. */
export const tagLimits = { pages: 100, tags: 100_000, pageSize: 1000 } as const;

export interface ListTagsOptions extends RemoteOptions {
  /** Tags asked for per page (`n`); default 1000. */
  pageSize?: number;
}

const pageSchema = z.object({ tags: z.array(z.string().max(128)).nullable().optional() }).loose();

// spec: distribution-spec "Listing Tags": Link: <url>; rel="next"
function nextLink(link: string | string[] | undefined): string | undefined {
  const text = Array.isArray(link) ? link.join(', ') : link;
  return text ? /<([^>]*)>\s*;\s*rel="?next"?/i.exec(text)?.[1] : undefined;
}

/**
 * Lists a repository's tags, following `Link` pagination (same origin only) up to
 * `tagLimits`. Order is the registry's.
 * Throws OCI_MANIFEST_UNKNOWN for an unknown repository, LIMIT_EXCEEDED, REGISTRY_*.
 */
export async function listTags(repo: string | Pick<Reference, 'registry' | 'repository'>, opts: ListTagsOptions = {}): Promise<string[]> {
  const r = typeof repo === 'string' ? parseRepository(repo) : repo;
  const name = `${r.registry}/${r.repository}`;
  const session = new Session(r.registry, r.repository, 'pull', opts);
  const tags: string[] = [];
  let path: string | URL = `/v2/${r.repository}/tags/list?n=${Math.max(1, Math.min(opts.pageSize ?? tagLimits.pageSize, tagLimits.pageSize))}`;
  for (let page = 0; page < tagLimits.pages; page++) {
    const what = `tags of ${name}`;
    const res = await session.request({ method: 'GET', path, what: `GET ${what}`, expect: [200], notFound: 'OCI_MANIFEST_UNKNOWN' });
    const raw = await readAll(guardBody(res.body, what), limits.manifestBytes, what);
    let parsed: z.infer<typeof pageSchema>;
    try {
      parsed = pageSchema.parse(JSON.parse(raw.toString('utf8')));
    } catch (err) {
      throw new BosunError('REGISTRY_PROTOCOL', `${what}: not a tag list`, { cause: err });
    }
    tags.push(...(parsed.tags ?? []));
    if (tags.length > tagLimits.tags) throw new BosunError('LIMIT_EXCEEDED', `${what}: more than ${tagLimits.tags} tags`);
    const next = nextLink(res.headers.link);
    if (!next) return tags;
    const url = new URL(next, res.url);
    if (url.origin !== res.url.origin) throw new BosunError('REGISTRY_PROTOCOL', `${what}: pagination link leaves the registry`);
    path = url;
  }
  throw new BosunError('LIMIT_EXCEEDED', `tags of ${name}: more than ${tagLimits.pages} pages`);
}
