// Shared helpers for the vulnerability-database tests: the real advisories in ../shared, zips
// made from them at test time (yazl), and a loopback mirror that can misbehave on demand.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import yazl from 'yazl';
import { serve, type TestServer } from '../../helpers/http-server.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** `../shared` beside the repository, or $BOSUN_SHARED. */
export const sharedDir = path.resolve(process.env.BOSUN_SHARED ?? path.resolve(repoRoot, '../shared'));
export const advisoriesDir = path.join(sharedDir, 'advisories');
/** The real OSV sources, each `<name>/osv/*.json`. */
export const sources = ['debian-changelog', 'ghsa-subset', 'go-vulndb', 'nodejs-security-wg', 'pypa'] as const;
export const osvDir = (source: string) => path.join(advisoriesDir, source, 'osv');

/** The parsed records of a shared source, with their file names. */
export async function readSource(source: string): Promise<Array<{ file: string; record: OsvJson }>> {
  const dir = osvDir(source);
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  return Promise.all(names.map(async (file) => ({ file, record: JSON.parse(await readFile(path.join(dir, file), 'utf8')) as OsvJson })));
}

/** Just enough of an OSV record's shape for tests to compute expectations from the files. */
export interface OsvJson {
  id: string;
  modified: string;
  withdrawn?: string;
  aliases?: string[];
  related?: string[];
  affected?: Array<{ package?: { ecosystem: string; name: string } }>;
}

/** Writes a zip of `entries` to `dest` (deflated unless `store`). */
export async function writeZip(dest: string, entries: Iterable<{ name: string; data: Buffer | string }>, opts: { store?: boolean } = {}): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const e of entries) zip.addBuffer(Buffer.from(e.data), e.name, { compress: !opts.store, mtime: new Date(0) });
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(dest));
}

/** Zips every `*.json` of a shared source the way OSV's `all.zip` is laid out (flat). */
export async function zipSource(source: string, dest: string, opts: { store?: boolean } = {}): Promise<void> {
  const dir = osvDir(source);
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  const entries = await Promise.all(names.map(async (name) => ({ name, data: await readFile(path.join(dir, name)) })));
  await writeZip(dest, entries, opts);
}

/** How the mirror answers `GET /<Ecosystem>/all.zip`. */
export type MirrorMode = 'ok' | 'truncate' | 'garbage' | 'error' | 'bad-sha256' | 'slow';

export interface Mirror {
  url: string;
  server: TestServer;
  /** Archive bytes per ecosystem; replace one to publish a new version (its ETag changes). */
  archives: Map<string, Buffer>;
  mode: Map<string, MirrorMode>;
  /** Publish `<eco>/all.zip.sha256` files (right ones unless the mode is `bad-sha256`). */
  publishSha256: boolean;
  /** Resolves once a `slow` body is half sent. */
  halfSent: Promise<void>;
  /** Called when a whole archive body has been handed to the socket. */
  onSent?: (ecosystem: string) => void;
  close(): Promise<void>;
}

const etagOf = (b: Buffer) => `"${createHash('sha256').update(b).digest('hex').slice(0, 16)}"`;

/** A loopback mirror laid out like OSV's bucket, with ETag/304 support and failure modes. */
export async function startMirror(): Promise<Mirror> {
  let onHalf!: () => void;
  const halfSent = new Promise<void>((r) => (onHalf = r));
  const archives = new Map<string, Buffer>();
  const mode = new Map<string, MirrorMode>();
  const m = { archives, mode, publishSha256: false, halfSent } as Mirror;
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const match = /^\/([^/]+)\/all\.zip(\.sha256)?$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    const eco = match ? decodeURIComponent(match[1]!) : '';
    const body = archives.get(eco);
    if (!match || !body) return void res.writeHead(404).end();
    const how = mode.get(eco) ?? 'ok';
    if (match[2]) return void answerSha256(res, body, how, m.publishSha256);
    if (how === 'error') return void res.writeHead(500).end('boom');
    const etag = etagOf(body);
    if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
    res.writeHead(200, { 'content-type': 'application/zip', 'content-length': body.length, etag, 'last-modified': new Date(0).toUTCString() });
    if (how === 'truncate') {
      res.write(body.subarray(0, body.length >> 1));
      setTimeout(() => res.destroy(), 20);
    } else if (how === 'garbage') {
      res.end(Buffer.alloc(body.length, 0x5a));
    } else if (how === 'slow') {
      res.write(body.subarray(0, body.length >> 1), () => onHalf());
    } else {
      res.end(body, () => m.onSent?.(eco));
    }
  };
  const server = await serve(handler);
  return Object.assign(m, { url: `http://${server.host}`, server, close: () => server.close() });
}

function answerSha256(res: ServerResponse, body: Buffer, how: MirrorMode, publish: boolean): void {
  if (!publish) return void res.writeHead(404).end();
  const digest = createHash('sha256').update(how === 'bad-sha256' ? Buffer.concat([body, Buffer.from('x')]) : body).digest('hex');
  res.writeHead(200, { 'content-type': 'text/plain' }).end(`${digest}  all.zip\n`);
}
