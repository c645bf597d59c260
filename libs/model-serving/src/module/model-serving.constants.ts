/** Injection token of the resolved (validated, defaulted, frozen) options. */
export const MODEL_SERVING_RESOLVED_OPTIONS = 'MODEL_SERVING_RESOLVED_OPTIONS';

/** Prefix of the per-model injection tokens made by `getModelToken`. */
export const MODEL_SERVING_MODEL_TOKEN_PREFIX = 'MODEL_SERVING_MODEL:';

/** Injection token of the REST route prefix ('' or '/something'). */
export const MODEL_SERVING_REST_PREFIX = 'MODEL_SERVING_REST_PREFIX';

/** Injection token of the `ServingPipeline`: the loaders and plug-ins versions load through. */
export const MODEL_SERVING_PIPELINE = 'MODEL_SERVING_PIPELINE';

/** Injection token of the `ThrottlerStorage` that counts requests per credential for `auth.rateLimit`. */
export const MODEL_SERVING_RATE_LIMITER = 'MODEL_SERVING_RATE_LIMITER';
