import { type CallOptions } from '../models/inference.service.js';

/**
 * A REST call's options: its protocol, and its deadline from `restApiTimeoutMs` (TF Serving's
 * `--rest_api_timeout_in_ms`; 0 = none), counted from when the handler starts.
 */
export function restCallOptions(timeoutMs: number, protocol: 'rest' | 'v2_rest'): CallOptions {
  return timeoutMs > 0 ? { deadline: Date.now() + timeoutMs, protocol } : { protocol };
}
