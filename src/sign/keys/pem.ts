import { BosunError } from '../../errors.js';

/** One PEM block: its label (`PUBLIC KEY`, `ENCRYPTED SIGSTORE PRIVATE KEY`…) and DER bytes. */
export interface PemBlock {
  readonly label: string;
  readonly der: Buffer;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]{1,64})-----\r?\n([A-Za-z0-9+/=\r\n]*?)-----END \1-----/;

/** Parses the first PEM block in `text` (RFC 7468 strict-ish). Throws SIGN_KEY_INVALID. */
export function parsePem(text: string, what: string): PemBlock {
  const m = BLOCK.exec(text);
  if (!m || m[1] === undefined || m[2] === undefined) throw new BosunError('SIGN_KEY_INVALID', `${what}: no PEM block found`);
  return { label: m[1], der: Buffer.from(m[2].replace(/\s+/g, ''), 'base64') };
}

/** Encodes DER bytes as a PEM block with 64-column lines and a trailing newline. */
export function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
