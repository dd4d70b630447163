import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { BosunError } from '../../errors.js';
import { dockerHub, dockerHubConfigKey } from '../reference.js';
import type { Credentials } from './options.js';

const maxConfigBytes = 1024 * 1024;
const maxHelperOutputBytes = 64 * 1024;
const helperTimeoutMs = 10_000;

const entrySchema = z.object({
  auth: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  identitytoken: z.string().optional(),
}).loose();
const configSchema = z.object({
  auths: z.record(z.string(), entrySchema).optional(),
  credHelpers: z.record(z.string(), z.string()).optional(),
  credsStore: z.string().optional(),
}).loose();
type DockerConfig = z.infer<typeof configSchema>;
const helperAnswerSchema = z.object({ Username: z.string().optional(), Secret: z.string() }).loose();

type Env = Record<string, string | undefined>;

/** Where credentials came from; for debug logs and docs, never holding the secret. */
export type CredentialSource = 'explicit' | 'env' | 'docker-config' | 'credential-helper' | 'anonymous';

export interface ResolvedCredentials {
  source: CredentialSource;
  creds?: Credentials;
}

// docker.io, index.docker.io and registry-1.docker.io are one registry to `docker login`.
function canonicalHost(hostOrUrl: string): string {
  const host = hostOrUrl.replace(/^https?:\/\//i, '').split('/')[0]!.toLowerCase();
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? dockerHub : host;
}

/** The path of docker's config.json: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath(env: Env): string {
  return env.DOCKER_CONFIG ? join(env.DOCKER_CONFIG, 'config.json') : join(env.HOME || homedir(), '.docker', 'config.json');
}

async function readDockerConfig(env: Env): Promise<DockerConfig | undefined> {
  const path = dockerConfigPath(env);
  let raw: Buffer;
  try {
    raw = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new BosunError('REGISTRY_CREDENTIALS', `reading docker config "${path}" failed`, { cause: err });
  }
  if (raw.length > maxConfigBytes) throw new BosunError('REGISTRY_CREDENTIALS', `docker config "${path}" is larger than ${maxConfigBytes} bytes`);
  try {
    const r = configSchema.safeParse(JSON.parse(raw.toString('utf8')));
    if (r.success) return r.data;
  } catch {
    // fall through to the error below; the parse error may quote secrets, so it is not kept
  }
  throw new BosunError('REGISTRY_CREDENTIALS', `docker config "${path}" is not valid JSON of the expected shape`);
}

function fromEntry(entry: z.infer<typeof entrySchema>): Credentials | undefined {
  if (entry.identitytoken) return { identityToken: entry.identitytoken, ...(entry.username ? { username: entry.username } : {}) };
  if (entry.auth) {
    const plain = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = plain.indexOf(':');
    if (colon > 0) return { username: plain.slice(0, colon), password: plain.slice(colon + 1) };
  }
  if (entry.username && entry.password !== undefined) return { username: entry.username, password: entry.password };
  return undefined;
}

function lookup<T>(table: Record<string, T> | undefined, registry: string): T | undefined {
  if (!table) return undefined;
  const want = canonicalHost(registry);
  const key = Object.keys(table).find((k) => canonicalHost(k) === want);
  return key === undefined ? undefined : table[key];
}

/**
 * Runs `docker-credential-<helper> get` (the docker credential-helper protocol: server URL on
 * stdin, `{ "Username", "Secret" }` on stdout). "credentials not found" means anonymous.
 * Throws REGISTRY_CREDENTIALS when the helper is missing, fails or answers garbage.
 */
export async function runCredentialHelper(helper: string, registry: string, env: Env): Promise<Credentials | undefined> {
  if (!/^[A-Za-z0-9._-]+$/.test(helper)) throw new BosunError('REGISTRY_CREDENTIALS', `invalid credential helper name "${helper.slice(0, 64)}"`);
  const program = `docker-credential-${helper}`;
  const serverUrl = canonicalHost(registry) === dockerHub ? dockerHubConfigKey : registry;
  const { code, stdout, failure } = await runHelper(program, serverUrl, env);
  if (failure) throw new BosunError('REGISTRY_CREDENTIALS', `credential helper ${program} could not run (${failure})`);
  if (code !== 0) {
    if (/credentials not found/i.test(stdout)) return undefined;
    throw new BosunError('REGISTRY_CREDENTIALS', `credential helper ${program} failed with exit status ${code} for ${registry}`);
  }
  try {
    const r = helperAnswerSchema.parse(JSON.parse(stdout));
    if (r.Username === '<token>') return { identityToken: r.Secret };
    return { username: r.Username ?? '', password: r.Secret };
  } catch {
    throw new BosunError('REGISTRY_CREDENTIALS', `credential helper ${program} answered something other than {Username, Secret}`);
  }
}

function runHelper(program: string, input: string, env: Env): Promise<{ code: number | null; stdout: string; failure?: string }> {
  return new Promise((resolve) => {
    const child = spawn(program, ['get'], { env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    // Our own timer: spawn's `timeout` option keeps the process alive when the program is missing.
    const timer = setTimeout(() => child.kill('SIGKILL'), helperTimeoutMs);
    const done = (r: { code: number | null; stdout: string; failure?: string }) => {
      clearTimeout(timer);
      resolve(r);
    };
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      if (out.length > maxHelperOutputBytes) child.kill('SIGKILL');
    });
    // stderr is drained but never shown: helpers may echo what they were given.
    child.stderr.resume();
    child.on('error', (err: NodeJS.ErrnoException) => done({ code: null, stdout: '', failure: err.code === 'ENOENT' ? 'not found on PATH' : err.code ?? 'error' }));
    child.on('close', (code, sig) => done(sig ? { code: null, stdout: '', failure: `killed by ${sig}` } : { code, stdout: out }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

/**
 * Finds credentials for a registry, first match wins:
 * 1. `explicit` (the caller's `auth` option);
 * 2. env `BOSUN_USERNAME` + `BOSUN_PASSWORD`;
 * 3. docker config: `credHelpers[registry]`, then an `auths` entry (`auth`, `username`/`password`,
 *    `identitytoken`; Docker Hub may be keyed `https://index.docker.io/v1/`), then `credsStore`;
 * 4. anonymous.
 * Throws REGISTRY_CREDENTIALS when the config or a helper is broken.
 */
export async function resolveCredentials(registry: string, explicit: Credentials | undefined, env: Env): Promise<ResolvedCredentials> {
  if (explicit) return { source: 'explicit', creds: explicit };
  if (env.BOSUN_USERNAME && env.BOSUN_PASSWORD !== undefined) {
    return { source: 'env', creds: { username: env.BOSUN_USERNAME, password: env.BOSUN_PASSWORD } };
  }
  const config = await readDockerConfig(env);
  if (!config) return { source: 'anonymous' };
  const helper = lookup(config.credHelpers, registry);
  if (helper) return fromHelper(await runCredentialHelper(helper, registry, env));
  const entry = lookup(config.auths, registry);
  const inline = entry ? fromEntry(entry) : undefined;
  if (inline) return { source: 'docker-config', creds: inline };
  if (config.credsStore) return fromHelper(await runCredentialHelper(config.credsStore, registry, env));
  return { source: 'anonymous' };
}

function fromHelper(creds: Credentials | undefined): ResolvedCredentials {
  return creds ? { source: 'credential-helper', creds } : { source: 'anonymous' };
}
