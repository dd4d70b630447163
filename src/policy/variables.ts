import { queryJmesPath } from './jmespath.js';
import { isPlainObject } from './pattern/operators.js';

/**
 * `{{ }}` variable substitution, as Kyverno does it: every string leaf and map key of a JSON
 * document is scanned; `{{ expr }}` is a JMESPath query on the context; nested `{{ }}` inside
 * an expression are resolved first and spliced in as text. A string that is exactly one
 * variable takes the query's typed value; otherwise values are formatted into the text.
 * A missing field resolves to null (not an error); a JMESPath error fails the substitution.
 */
export type Substituted = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

export interface VariableContext {
  /** The JSON document JMESPath queries run against (request, images, element, context entries…). */
  readonly data: unknown;
  /** On DELETE, Kyverno reads `request.object` from `request.oldObject`. */
  readonly isDelete?: boolean;
}

const MAX_DEPTH = 64;
const MAX_NESTING = 16;

/** Substitutes variables throughout `doc` (a JSON value); returns a new value. */
export function substituteAll(doc: unknown, ctx: VariableContext): Substituted {
  return walk(doc, ctx, 0);
}

function walk(doc: unknown, ctx: VariableContext, depth: number): Substituted {
  if (depth > MAX_DEPTH) return { ok: false, error: 'document is nested too deeply for variable substitution' };
  if (typeof doc === 'string') return substituteString(doc, ctx);
  if (Array.isArray(doc)) {
    const out: unknown[] = [];
    for (const item of doc) {
      const r = walk(item, ctx, depth + 1);
      if (!r.ok) return r;
      out.push(r.value);
    }
    return { ok: true, value: out };
  }
  if (isPlainObject(doc)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(doc)) {
      const key = substituteString(k, ctx);
      if (!key.ok) return key;
      const value = walk(v, ctx, depth + 1);
      if (!value.ok) return value;
      out[typeof key.value === 'string' ? key.value : format(key.value)] = value.value;
    }
    return { ok: true, value: out };
  }
  return { ok: true, value: doc };
}

type State = 'text' | 'open' | 'name' | 'nested-open' | 'close';

/** Substitutes the variables of one string. */
export function substituteString(s: string, ctx: VariableContext): Substituted {
  if (!s.includes('{{')) return { ok: true, value: s };
  let out = '';
  let state: State = 'text';
  let dirty = false;
  let varStart = 0;
  const stack: string[] = [];
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    switch (state) {
      case 'text':
        if (ch === '{') { state = 'open'; varStart = i; } else { out += ch; dirty = true; }
        break;
      case 'open':
        if (ch === '{') { stack.push(''); state = 'name'; } else { out += `{${ch}`; state = 'text'; dirty = true; }
        break;
      case 'name':
        if (ch === '{') state = 'nested-open';
        else if (ch === '}') state = 'close';
        else stack[stack.length - 1] += ch;
        break;
      case 'nested-open':
        if (ch === '{') {
          if (stack.length >= MAX_NESTING) return { ok: false, error: `variables nest too deeply in '${s}'` };
          stack.push('');
        } else stack[stack.length - 1] += `{${ch}`;
        state = 'name';
        break;
      case 'close': {
        if (ch !== '}') { stack[stack.length - 1] += `}${ch}`; state = 'name'; break; }
        const resolved = resolve((stack.pop() as string).trim(), ctx);
        if (!resolved.ok) return resolved;
        if (stack.length > 0) { stack[stack.length - 1] += format(resolved.value); state = 'name'; break; }
        if (!dirty && i === s.length - 1) return resolved;
        out += format(resolved.value);
        state = 'text';
        break;
      }
    }
  }
  if (state !== 'text') out += s.slice(varStart);
  return { ok: true, value: out };
}

function resolve(name: string, ctx: VariableContext): Substituted {
  if (name === '@') return { ok: false, error: "the '{{@}}' pattern reference is not supported" };
  const expr = ctx.isDelete ? name.replaceAll('request.object', 'request.oldObject') : name;
  const r = queryJmesPath(expr, ctx.data);
  return r.ok ? { ok: true, value: r.value } : { ok: false, error: `failed to resolve variable '${name}': ${r.error}` };
}

/** How a value is spliced into text (Go's %v for scalars; JSON for objects and lists). */
export function format(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Splits a values-file key like `request.object.metadata.annotations."a.b/c"` into segments. */
export function parseVariablePath(key: string): string[] {
  const segs: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of key) {
    if (ch === '"') quoted = !quoted;
    else if (ch === '.' && !quoted) { segs.push(cur); cur = ''; }
    else cur += ch;
  }
  segs.push(cur);
  return segs.filter((s) => s !== '');
}

/** Sets `value` at the dotted `key` of `target` (creating objects), deep-merging object values. */
export function setVariable(target: Record<string, unknown>, key: string, value: unknown): void {
  const segs = parseVariablePath(key);
  const last = segs.pop();
  if (last === undefined) return;
  let node = target;
  for (const seg of segs) {
    if (!isPlainObject(node[seg])) node[seg] = {};
    node = node[seg] as Record<string, unknown>;
  }
  node[last] = isPlainObject(value) && isPlainObject(node[last]) ? deepMerge(node[last] as Record<string, unknown>, value) : value;
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isPlainObject(v) && isPlainObject(out[k]) ? deepMerge(out[k] as Record<string, unknown>, v) : v;
  return out;
}
