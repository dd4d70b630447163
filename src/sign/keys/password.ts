import type { ReadStream } from 'node:tty';
import type { Writable } from 'node:stream';
import { BosunError } from '../../errors.js';

/** Supplies the password for an encrypted key; called at most once per key operation. */
export type PasswordSource = (purpose: 'decrypt' | 'encrypt') => Promise<Uint8Array>;

/** Where `envPasswordSource` looks: the environment, and a terminal to prompt on if any. */
export interface PasswordSourceOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** A TTY to prompt on (no echo); omit or pass a non-TTY to never prompt. */
  readonly tty?: ReadStream;
  readonly out?: Writable;
}

/**
 * The cosign convention: `COSIGN_PASSWORD` (set, even to the empty string, wins), then
 * `BOSUN_PASSWORD`, then a no-echo prompt on the terminal (asked twice when encrypting), else
 * SIGN_KEY_PASSWORD_MISSING. A mismatched confirmation throws INPUT_INVALID.
 */
export function envPasswordSource(opts: PasswordSourceOptions = {}): PasswordSource {
  const env = opts.env ?? process.env;
  return async (purpose) => {
    const fromEnv = env.COSIGN_PASSWORD ?? env.BOSUN_PASSWORD;
    if (fromEnv !== undefined) return Buffer.from(fromEnv, 'utf8');
    const { tty, out } = opts;
    if (!tty?.isTTY || !out) {
      throw new BosunError('SIGN_KEY_PASSWORD_MISSING', 'the key is encrypted and no password is set (COSIGN_PASSWORD / BOSUN_PASSWORD) and there is no terminal to ask on');
    }
    const first = await promptHidden(tty, out, 'Enter password for private key: ');
    if (purpose === 'encrypt') {
      const again = await promptHidden(tty, out, 'Enter password for private key again: ');
      if (again !== first) throw new BosunError('INPUT_INVALID', 'the two passwords do not match');
    }
    return Buffer.from(first, 'utf8');
  };
}

/** Reads one line from a TTY in raw mode, echoing nothing. Ctrl-C / Ctrl-D abort with ABORTED. */
function promptHidden(tty: ReadStream, out: Writable, question: string): Promise<string> {
  out.write(question);
  return new Promise((resolve, reject) => {
    let line = '';
    const done = (err?: BosunError): void => {
      tty.off('data', onData);
      tty.setRawMode(false);
      tty.pause();
      out.write('\n');
      if (err) reject(err);
      else resolve(line);
    };
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003' || ch === '\u0004') return done(new BosunError('ABORTED', 'password prompt cancelled'));
        if (ch === '\u007f' || ch === '\b') line = line.slice(0, -1);
        else line += ch;
      }
    };
    tty.setRawMode(true);
    tty.resume();
    tty.on('data', onData);
  });
}
