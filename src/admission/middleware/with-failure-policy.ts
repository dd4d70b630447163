import type { Logger } from 'pino';
import { isBosunError } from '../../errors.js';
import type { AdmissionHandler } from '../handler.js';

/**
 * Turns a handler failure (timeout, registry outage, a bug) into a decision. `Fail` (the default
 * and the recommendation) denies; `Ignore` admits with a warning. Either way the request gets an
 * answer, so the API server's own failurePolicy never has to guess.
 */
export function withFailurePolicy(inner: AdmissionHandler, policy: 'Fail' | 'Ignore', logger?: Logger): AdmissionHandler {
  return async (req, signal) => {
    try {
      return await inner(req, signal);
    } catch (err) {
      const code = isBosunError(err) ? err.code : 'INTERNAL';
      logger?.error({ uid: req.uid, err }, `admission failed (${code}); failurePolicy ${policy}`);
      const message = `bosun admission could not decide (${code}); failurePolicy ${policy}`;
      if (policy === 'Ignore') return { uid: req.uid, allowed: true, warnings: [message] };
      return { uid: req.uid, allowed: false, status: { code: 500, message } };
    }
  };
}
