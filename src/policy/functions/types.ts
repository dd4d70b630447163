import { TYPE_ANY, TYPE_ARRAY, TYPE_NUMBER, TYPE_OBJECT, TYPE_STRING } from '@jmespath-community/jmespath';
import type { InputSignature, JSONValue } from '@jmespath-community/jmespath';

/**
 * One custom JMESPath function, as Kyverno names it. `fn` receives arguments already checked
 * against `signature` and throws `Error` for bad input (the engine turns that into an `error`
 * rule result).
 */
export interface JmesFunction {
  readonly name: string;
  readonly signature: InputSignature[];
  readonly fn: (args: JSONValue[]) => JSONValue;
}

/** Argument signatures (arguments are type-checked by the JMESPath runtime before `fn` runs). */
export const str: InputSignature = { types: [TYPE_STRING] };
export const num: InputSignature = { types: [TYPE_NUMBER] };
export const strOrNum: InputSignature = { types: [TYPE_STRING, TYPE_NUMBER] };
export const any: InputSignature = { types: [TYPE_ANY] };
export const obj: InputSignature = { types: [TYPE_OBJECT] };
export const arr: InputSignature = { types: [TYPE_ARRAY] };
export const objOrArr: InputSignature = { types: [TYPE_OBJECT, TYPE_ARRAY] };

/** Text of a string-or-number argument, as Kyverno stringifies it. */
export function text(v: JSONValue | undefined): string {
  return typeof v === 'string' ? v : String(v ?? '');
}
