// A throwaway PostgreSQL cluster for tests: Debian's postgresql (15) in a temp dir, listening on a
// unix socket in that dir only (no TCP port, so parallel test files and other users never clash).
//
//   const pg = await startPostgres();
//   const url = await pg.createDatabase();   // a fresh, empty database per call
//   ... new pg.Client({ connectionString: url }) / PostgresMetaStore.open({ url }) ...
//   await pg.stop();                          // stops the server, removes the temp dir
//
// initdb refuses to run as root, so as root the cluster runs as Debian's `postgres` user
// (runuser). Needs the apt package postgresql.
import { execFile } from 'node:child_process';
import { after, before } from 'node:test';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface TestPostgres {
  /** The directory holding the socket (`.s.PGSQL.<port>`) and the cluster (`data/`). */
  dir: string;
  /** A connection URL for database `name` (default `postgres`) over the socket. */
  url(name?: string): string;
  /** Creates an empty database with a fresh name; returns its URL. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length === 0) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  return join(root, versions[0]!, 'bin');
}

/** initdb, pg_ctl start; the server is gone again after `stop()`. */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = binDir();
  const dir = await mkdtemp(join(tmpdir(), 'bosun-pg-'));
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? 'postgres' : userInfo().username;
  const exec = (cmd: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]) : run(join(bin, cmd), args);
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  await chmod(dir, 0o700);
  const data = join(dir, 'data');
  const port = 5432;
  await exec('initdb', ['-D', data, '-U', user, '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8']);
  // fsync off: a test cluster need not survive power loss, and fsyncs are the slow part here.
  const serverOpts = `-c listen_addresses='' -c unix_socket_directories='${dir}' -p ${port} -c fsync=off -c full_page_writes=off`;
  await exec('pg_ctl', ['-D', data, '-o', serverOpts, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
  const url = (name = 'postgres') => `postgresql://${encodeURIComponent(user)}@/${name}?host=${encodeURIComponent(dir)}&port=${port}`;
  let n = 0;
  return {
    dir,
    url,
    async createDatabase() {
      const name = `t${++n}`;
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    async stop() {
      await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One cluster for a whole test file: started before its tests, stopped after them, once the
 * cleanups handed to `defer` (apps and stores using it) have run, newest first.
 */
export function postgresForFile(): { server: () => TestPostgres; defer: (cleanup: () => Promise<void>) => void } {
  let server: TestPostgres | undefined;
  const cleanups: Array<() => Promise<void>> = [];
  before(async () => {
    server = await startPostgres();
  });
  after(async () => {
    for (const c of cleanups.reverse()) await c();
    await server?.stop();
  });
  return {
    server: () => {
      if (!server) throw new Error('postgresForFile: the cluster starts in before(); use it inside a test');
      return server;
    },
    defer: (cleanup) => void cleanups.push(cleanup),
  };
}
