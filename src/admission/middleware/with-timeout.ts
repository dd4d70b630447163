import { BosunError } from '../../errors.js';
import type { AdmissionHandler } from '../handler.js';

/**
 * Bounds a handler to `ms` (set it well inside the webhook's `timeoutSeconds`, so bosun answers
 * before the API server gives up and applies its own failurePolicy). On timeout the inner
 * handler's signal is aborted and ADMISSION_TIMEOUT is thrown for withFailurePolicy to decide.
 */
export function withTimeout(inner: AdmissionHandler, ms: number): AdmissionHandler {
  return async (req, signal) => {
    const ctl = new AbortController();
    const onAbort = (): void => ctl.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new BosunError('ADMISSION_TIMEOUT', `no decision for ${req.uid} within ${ms} ms`);
        ctl.abort(err);
        reject(err);
      }, ms);
    });
    try {
      return await Promise.race([inner(req, ctl.signal), timeout]);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  };
}
