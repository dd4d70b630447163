import { X509Certificate } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { isPlainObject } from '../pattern/operators.js';
import { matchWildcard } from '../wildcard.js';
import { any, arr, obj, objOrArr, str, text } from './types.js';
import type { JmesFunction } from './types.js';
import type { JSONValue } from '@jmespath-community/jmespath';

const MAX_DOC = 1 << 20;

/** Kyverno's data functions: encodings, JSON/YAML parsing, object helpers, x509. */
export const dataFunctions: readonly JmesFunction[] = [
  { name: 'base64_decode', signature: [str], fn: ([s]) => base64Decode(text(s)) },
  { name: 'base64_encode', signature: [str], fn: ([s]) => Buffer.from(text(s), 'utf8').toString('base64') },
  { name: 'parse_json', signature: [str], fn: ([s]) => JSON.parse(bounded(text(s))) as JSONValue },
  { name: 'parse_yaml', signature: [str], fn: ([s]) => (parseYaml(bounded(text(s)), { maxAliasCount: 100 }) ?? null) as JSONValue },
  { name: 'items', signature: [objOrArr, str, str], fn: ([o, k, v]) => items(o!, text(k), text(v)) },
  { name: 'object_from_lists', signature: [arr, arr], fn: ([ks, vs]) => Object.fromEntries((ks as JSONValue[]).map((k, i) => [text(k), (vs as JSONValue[])[i] ?? null])) },
  { name: 'label_match', signature: [obj, obj], fn: ([sel, labels]) => labelMatch(sel as Record<string, JSONValue>, labels as Record<string, JSONValue>) },
  { name: 'lookup', signature: [any, any], fn: ([c, k]) => lookup(c!, k!) },
  { name: 'x509_decode', signature: [str], fn: ([pem]) => x509Decode(text(pem)) },
];

function bounded(s: string): string {
  if (s.length > MAX_DOC) throw new Error('document is too large to parse');
  return s;
}

function base64Decode(s: string): string {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) throw new Error('base64_decode: input is not standard base64');
  return Buffer.from(s, 'base64').toString('utf8');
}

/** Kyverno's items(): an object becomes [{k: key, v: value}] sorted by key; a list [{k: index, v: elem}]. */
function items(o: JSONValue, k: string, v: string): JSONValue {
  if (Array.isArray(o)) return o.map((e, i) => ({ [k]: i, [v]: e }));
  if (!isPlainObject(o)) throw new Error('items: expected an object or a list');
  return Object.keys(o).sort().map((key) => ({ [k]: key, [v]: (o as Record<string, JSONValue>)[key] ?? null }));
}

function labelMatch(selector: Record<string, JSONValue>, labels: Record<string, JSONValue>): boolean {
  return Object.entries(selector).every(([k, v]) => typeof labels[k] === 'string' && matchWildcard(text(v), labels[k] as string));
}

function lookup(collection: JSONValue, key: JSONValue): JSONValue {
  if (Array.isArray(collection)) return typeof key === 'number' ? collection[key] ?? null : null;
  if (isPlainObject(collection)) return (collection as Record<string, JSONValue>)[text(key)] ?? null;
  throw new Error('lookup: expected an object or a list');
}

/** A subset of Go's x509.Certificate as Kyverno's x509_decode returns it. */
function x509Decode(pem: string): JSONValue {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(bounded(pem));
  } catch (err) {
    throw new Error(`x509_decode: not a PEM certificate (${(err as Error).message})`);
  }
  const jwk = cert.publicKey.export({ format: 'jwk' });
  if (jwk.kty !== 'RSA' || !jwk.n || !jwk.e) throw new Error('x509_decode: certificate should use the RSA algorithm');
  const n = BigInt(`0x${Buffer.from(jwk.n, 'base64url').toString('hex')}`);
  const e = Number(BigInt(`0x${Buffer.from(jwk.e, 'base64url').toString('hex')}`));
  return {
    Subject: cert.subject,
    Issuer: cert.issuer,
    SerialNumber: BigInt(`0x${cert.serialNumber}`).toString(),
    NotBefore: new Date(cert.validFrom).toISOString(),
    NotAfter: new Date(cert.validTo).toISOString(),
    PublicKey: { N: n.toString(), E: e },
    PublicKeyAlgorithm: 1,
  };
}
