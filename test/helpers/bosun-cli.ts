// Runs the published entry, bin/bosun.js, as a child process: bosun as a user runs it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

export const bosunBin = new URL('../../bin/bosun.js', import.meta.url).pathname;

/** How a run ended: exit status (null when killed) and everything it printed. */
export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to stdin, which is then closed. */
  stdin?: Buffer | string;
  /** Added to the environment. */
  env?: Record<string, string>;
  /** Pass only `env`, not this process's environment (and no CI=true). */
  cleanEnv?: boolean;
  cwd?: string;
}

/** Runs `bosun ...args` with this process's environment plus CI=true (no colour, no spinners). */
export function runBosun(args: readonly string[], opts: RunOptions = {}): Promise<Run> {
  const env = opts.cleanEnv ? { ...opts.env } : { ...process.env, CI: 'true', ...opts.env };
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [bosunBin, ...args], { env, cwd: opts.cwd });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    p.stdin.end(opts.stdin);
    p.on('error', reject);
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Asserts the run exited 0 (showing its stderr if not) and returns it. */
export function ok(r: Run): Run {
  assert.equal(r.status, 0, r.stderr);
  return r;
}
