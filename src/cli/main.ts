import { Command, CommanderError } from 'commander';
import { BosunError } from '../errors.js';
import { bosunVersion } from '../version.js';
import { entriesFor } from './commands/index.js';

const program = new Command('bosun')
  .description('container supply-chain security: scan, SBOM, sign/attest, store, admit, watch')
  .version(bosunVersion)
  .showHelpAfterError()
  .exitOverride();

// A reader that stops early (`bosun registry audit | head`) closes the pipe. Stop quietly with
// the status of a process killed by SIGPIPE, as Go tools such as trivy do, rather than crash on
// the unhandled EPIPE with a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(141);
});

/**
 * One `  cause:` line per error under `err` whose message the lines above do not already state,
 * so a wrapper such as VULN_DB_STALE "updating it failed" shows why (at most 5 levels).
 */
function causeLines(err: BosunError): string {
  let shown = err.message;
  let lines = '';
  let cause = err.cause;
  for (let depth = 0; cause instanceof Error && depth < 5; depth++, cause = cause.cause) {
    if (cause.message === '' || shown.includes(cause.message)) continue;
    lines += `  cause: ${cause instanceof BosunError ? `${cause.code}: ` : ''}${cause.message}\n`;
    shown += `\n${cause.message}`;
  }
  return lines;
}

/** Exit codes: 0 ok; N from --exit-code when findings match; 2 BosunError; 3 a bug; 141 stdout closed early. */
try {
  for (const entry of entriesFor(process.argv.slice(2))) (await entry.load())(program);
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else if (err instanceof BosunError) {
    process.stderr.write(`bosun: ${err.code}: ${err.message}\n  hint: ${err.hint}\n${causeLines(err)}`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`bosun: internal error (a bug; please report it)\n${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 3;
  }
}
// Pooled registry connections would keep the process alive until their keep-alive expires.
await (await import('../oci/remote/agents.js')).closeConnections();
