import { compile, registerFunction, TreeInterpreter } from '@jmespath-community/jmespath';
import type { JSONValue } from '@jmespath-community/jmespath';
import { dataFunctions } from './functions/data.js';
import { mathFunctions } from './functions/math.js';
import { textFunctions } from './functions/text.js';
import type { JmesFunction } from './functions/types.js';

/**
 * JMESPath for policies: the community implementation plus Kyverno's custom functions
 * (registered once, on first use; `items` is replaced by Kyverno's three-argument form).
 */
export const kyvernoFunctions: readonly JmesFunction[] = [...textFunctions, ...dataFunctions, ...mathFunctions];

export type QueryResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

const MAX_EXPRESSION = 8192;
const CACHE_LIMIT = 512;
const compiled = new Map<string, ReturnType<typeof compile>>();
let registered = false;

function ensureRegistered(): void {
  if (registered) return;
  for (const f of kyvernoFunctions) registerFunction(f.name, (args) => f.fn(args as JSONValue[]), f.signature, { override: true });
  registered = true;
}

/** Evaluates `expression` against `data`; a syntax, type or function error is returned, never thrown. */
export function queryJmesPath(expression: string, data: unknown): QueryResult {
  ensureRegistered();
  if (expression.length > MAX_EXPRESSION) return { ok: false, error: 'JMESPath expression is too long' };
  try {
    let ast = compiled.get(expression);
    if (!ast) {
      ast = compile(expression);
      if (compiled.size >= CACHE_LIMIT) compiled.clear();
      compiled.set(expression, ast);
    }
    return { ok: true, value: TreeInterpreter.search(ast, data as JSONValue) ?? null };
  } catch (err) {
    return { ok: false, error: `JMESPath query '${expression}' failed: ${(err as Error).message}` };
  }
}
