import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Agent } from 'undici';
import { BosunError } from '../../errors.js';

/** TLS settings of one connection pool. */
export interface TlsSettings {
  /** False skips certificate verification (insecure registries only). */
  verify: boolean;
  caFile?: string;
}

// One keep-alive pool per TLS setting, shared by every call in the process, so repeated pulls
// from one registry reuse connections. undici keys connections by origin inside each Agent.
const agents = new Map<string, Agent>();

function loadCa(caFile: string): string[] {
  try {
    // `ca` replaces Node's roots, so the extra CA is appended to them rather than used alone.
    return [...rootCertificates, readFileSync(caFile, 'utf8')];
  } catch (err) {
    throw new BosunError('IO_FAILED', `reading CA file "${caFile}" failed`, { cause: err });
  }
}

/** The shared connection pool for these TLS settings; throws IO_FAILED for an unreadable caFile. */
export function agentFor(tls: TlsSettings): Agent {
  const key = `${tls.verify ? 'verify' : 'noverify'}|${tls.caFile ?? ''}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = new Agent({
      keepAliveTimeout: 10_000,
      connect: { rejectUnauthorized: tls.verify, ...(tls.caFile ? { ca: loadCa(tls.caFile) } : {}) },
    });
    agents.set(key, agent);
  }
  return agent;
}

/** Closes every pooled connection (call at process end, or between tests). */
export async function closeConnections(): Promise<void> {
  const all = [...agents.values()];
  agents.clear();
  await Promise.all(all.map((a) => a.destroy()));
}
