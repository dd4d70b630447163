import { readFile, stat } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { BosunError } from '../../errors.js';

/** A PEM certificate (chain) and its private key, as bytes. */
export interface TlsPair {
  cert: Buffer;
  key: Buffer;
}

// A PEM chain of a dozen certificates is under 30 KiB; anything near this is not a certificate.
const maxPemBytes = 1024 * 1024;

async function readPem(file: string, what: string): Promise<Buffer> {
  try {
    const info = await stat(file);
    if (info.size > maxPemBytes) throw new BosunError('REGISTRY_TLS_INVALID', `${what} ${file} is larger than ${maxPemBytes} bytes`);
    return await readFile(file);
  } catch (err) {
    if (err instanceof BosunError) throw err;
    throw new BosunError('REGISTRY_TLS_INVALID', `cannot read ${what} ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/** Throws REGISTRY_TLS_INVALID unless `pair` is PEM and the key belongs to the certificate. */
export function checkTlsPair(pair: TlsPair, where: string): void {
  try {
    // OpenSSL checks that the private key matches the certificate's public key here.
    createSecureContext({ cert: pair.cert, key: pair.key });
  } catch (err) {
    throw new BosunError('REGISTRY_TLS_INVALID', `${where}: unusable certificate and key: ${(err as Error).message}`, { cause: err });
  }
}

/** Reads a certificate and key file pair, unchecked; throws REGISTRY_TLS_INVALID when unreadable. */
export async function readTlsPair(certFile: string, keyFile: string): Promise<TlsPair> {
  return { cert: await readPem(certFile, 'certificate'), key: await readPem(keyFile, 'key') };
}

/** Reads and checks a certificate and key file pair; throws REGISTRY_TLS_INVALID. */
export async function loadTlsPair(certFile: string, keyFile: string): Promise<TlsPair> {
  const pair = await readTlsPair(certFile, keyFile);
  checkTlsPair(pair, `${certFile} + ${keyFile}`);
  return pair;
}
