import { readFile, stat } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { BosunError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import { policyDocumentSchema } from './model.js';
import type { KubeObject, Policy } from './model.js';

/** Bounds on policy-engine inputs: they come from users' repositories and admission requests. */
export const limits = { maxFileBytes: 8 << 20, maxDocuments: 5000 } as const;

/**
 * Reads a UTF-8 text file of at most `limits.maxFileBytes`.
 * Throws `IO_FAILED` when it cannot be read, `LIMIT_EXCEEDED` when it is too large.
 */
export async function readTextFile(file: string): Promise<string> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (err) {
    throw new BosunError('IO_FAILED', `cannot read '${file}': ${(err as Error).message}`, { cause: err });
  }
  if (size > limits.maxFileBytes) throw new BosunError('LIMIT_EXCEEDED', `'${file}' is ${size} bytes, more than the ${limits.maxFileBytes} allowed`);
  return readFile(file, 'utf8');
}

/**
 * Parses multi-document YAML into plain JSON values, skipping empty documents.
 * Throws `code` (with `source` in the message) on a syntax error, `LIMIT_EXCEEDED` past
 * `limits.maxDocuments`.
 */
export function parseYamlDocuments(text: string, source: string, code: ErrorCode): unknown[] {
  const docs = parseAllDocuments(text, { uniqueKeys: false });
  if (docs.length > limits.maxDocuments) throw new BosunError('LIMIT_EXCEEDED', `'${source}' has more than ${limits.maxDocuments} YAML documents`);
  const out: unknown[] = [];
  for (const [i, doc] of docs.entries()) {
    if (doc.errors.length > 0) throw new BosunError(code, `'${source}' document ${i + 1} is not valid YAML: ${doc.errors[0]?.message}`);
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (err) {
      throw new BosunError(code, `'${source}' document ${i + 1} cannot be decoded: ${(err as Error).message}`, { cause: err });
    }
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

/** Parses ClusterPolicy/Policy documents. Throws `POLICY_INVALID` naming the document and field. */
export function parsePolicies(text: string, source: string): Policy[] {
  return parseYamlDocuments(text, source, 'POLICY_INVALID').map((doc, i) => toPolicy(doc, `${source}#${i + 1}`));
}

/** Validates one decoded policy document. Throws `POLICY_INVALID`. */
export function toPolicy(doc: unknown, source: string): Policy {
  const parsed = policyDocumentSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || '(root)';
    throw new BosunError('POLICY_INVALID', `policy '${source}' is invalid at ${where}: ${issue?.message ?? 'unknown error'}`);
  }
  const d = parsed.data;
  const namespace = d.kind === 'Policy' ? d.metadata.namespace ?? 'default' : undefined;
  return {
    key: namespace ? `${namespace}/${d.metadata.name}` : d.metadata.name,
    kind: d.kind,
    name: d.metadata.name,
    namespace,
    annotations: d.metadata.annotations ?? {},
    document: d,
    rules: d.spec.rules,
  };
}

/** Parses Kubernetes resources. Throws `POLICY_INPUT_INVALID` for a document without kind or name. */
export function parseResources(text: string, source: string): KubeObject[] {
  return parseYamlDocuments(text, source, 'POLICY_INPUT_INVALID').map((doc, i) => {
    const r = doc as KubeObject;
    if (typeof r !== 'object' || Array.isArray(r) || typeof r.kind !== 'string' || (typeof r.metadata?.name !== 'string' && typeof r.metadata?.generateName !== 'string')) {
      throw new BosunError('POLICY_INPUT_INVALID', `'${source}' document ${i + 1} is not a Kubernetes resource with kind and metadata.name`);
    }
    return r;
  });
}
