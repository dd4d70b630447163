import type { FastifyReply, FastifyRequest } from 'fastify';
import { BosunError, type ErrorCode } from '../errors.js';
import { queryParam } from './http.js';
import type { Page } from './meta-store/meta-store.js';

/**
 * The most entries one tags/catalog page returns, whatever `n` asks: a huge `n` must not
 * make the server allocate or scan without bound (CVE-2023-2253 in distribution).
 */
export const maxPageSize = 1000;

/**
 * Reads `n` and `last` from the query. `n` is capped at maxPageSize (and defaults to it);
 * a malformed `n` throws PAGINATION_NUMBER_INVALID, an overlong `last` `lastCode`.
 */
export function parsePage(request: FastifyRequest, lastCode: ErrorCode): Page {
  const rawN = queryParam(request, 'n');
  const last = queryParam(request, 'last');
  let n = maxPageSize;
  if (rawN !== undefined && rawN !== '') {
    if (!/^\d{1,15}$/.test(rawN)) throw new BosunError('REGISTRY_SERVE_PAGINATION_NUMBER_INVALID', `invalid n "${rawN.slice(0, 40)}"`);
    n = Math.min(Number(rawN), maxPageSize);
  }
  if (last !== undefined && last.length > 256) throw new BosunError(lastCode, 'the last parameter is longer than any tag or name');
  return last ? { n, last } : { n };
}

/**
 * Trims a page fetched with `n + 1` entries back to `n`, adding an RFC 5988 `Link` header
 * to the next page when there was more. Returns the entries to send.
 */
export function pageOut(reply: FastifyReply, path: string, page: Page, fetched: string[]): string[] {
  if (fetched.length <= page.n) return fetched;
  const entries = fetched.slice(0, page.n);
  const last = entries[entries.length - 1]!;
  reply.header('link', `<${path}?n=${page.n}&last=${encodeURIComponent(last)}>; rel="next"`);
  return entries;
}
