/**
 * What a credential may do to a model. `predict` covers predict, classify, regress,
 * MultiInference and Open Inference `infer`; `metadata` model metadata (TF Serving and v2);
 * `status` model status and v2 model readiness; `admin` is reserved for operations on the
 * server itself (ModelService `HandleReloadConfigRequest`), granted only with the model `*`.
 * @publicApi
 */
export type ModelServingVerb = 'predict' | 'metadata' | 'status' | 'admin';

/** Every verb, in the order the docs list them. */
export const MODEL_SERVING_VERBS: readonly ModelServingVerb[] = [
  'predict',
  'metadata',
  'status',
  'admin',
];

/**
 * A request budget per credential: at most `limit` requests in any `ttlMs` window; past it,
 * 429 RESOURCE_EXHAUSTED until the window slides.
 * @publicApi
 */
export interface RateLimitOptions {
  /** Requests allowed per window (at least 1). */
  limit: number;
  /** The window (ms, at least 1). */
  ttlMs: number;
}

/**
 * One API key and what it grants. Give the key itself (`key`, hashed with SHA-256 at boot and
 * then forgotten) or only its SHA-256 (`sha256`, 64 hex digits: `printf %s "$KEY" | sha256sum`).
 * @publicApi
 */
export interface ApiKeyConfig {
  /** A name for the key in logs and rate limits (never the key). */
  id: string;
  /** The key. */
  key?: string;
  /** The key's SHA-256, hex. */
  sha256?: string;
  /** Models it grants, `*` for all. @defaultValue `['*']` */
  models?: readonly string[];
  /** Verbs it grants. @defaultValue `['predict', 'metadata', 'status']` */
  verbs?: readonly ModelServingVerb[];
  /** This key's budget, overriding `auth.rateLimit`; `false` exempts it. */
  rateLimit?: RateLimitOptions | false;
}

/**
 * JWT bearer tokens: HS256 with `secret`, or RS256/ES256 with a PEM public key or a local JWKS
 * file. Grants come from the `scope` claim (a space-separated string or a list) of `verb:model`
 * items, such as `"predict:iris metadata:*"`; `*` stands for every model (or every verb, as
 * `*:iris`). Items of another form (`openid`, `profile`) are ignored.
 * @publicApi
 */
export interface JwtAuthOptions {
  /** HS256 shared secret (UTF-8). */
  secret?: string;
  /** A PEM (SPKI) public key file, RSA for RS256 or EC P-256 for ES256. */
  publicKeyFile?: string;
  /** A JWKS file (`{ "keys": [...] }`); the token's `kid` picks the key. */
  jwksFile?: string;
  /** Required `iss`. */
  issuer?: string | readonly string[];
  /** Required `aud` (one of). */
  audience?: string | readonly string[];
  /** Accepted algorithms. @defaultValue `['HS256']` with a secret, else `['RS256', 'ES256']` */
  algorithms?: readonly string[];
  /** Leeway on `exp` and `nbf` (ms). @defaultValue 30000 */
  clockToleranceMs?: number;
  /** The claim holding the grants. @defaultValue `'scope'` */
  scopeClaim?: string;
}

/**
 * Authentication and per-model authorization of the library's routes (and of user routes
 * marked `@ModelServingApi()`). Absent, every request is allowed. At least one of `apiKeys`,
 * `apiKeysFile`, `apiKeysEnv` or `jwt` must be given.
 * @publicApi
 */
export interface AuthOptions {
  /** API keys, sent as `x-api-key: <key>` or `Authorization: Bearer <key>`. */
  apiKeys?: readonly ApiKeyConfig[];
  /** A JSON file holding a list of `ApiKeyConfig`s (read once at boot). */
  apiKeysFile?: string;
  /**
   * An environment variable holding a JSON list of `ApiKeyConfig`s, or comma-separated keys that
   * each grant every model with the default verbs.
   */
  apiKeysEnv?: string;
  /** JWT bearer tokens. */
  jwt?: JwtAuthOptions;
  /** A budget for every credential (each has its own); off when absent. */
  rateLimit?: RateLimitOptions;
  /** Serve health and server metadata (v2 `live`/`ready`, `GET /v2`) without credentials. @defaultValue true */
  publicHealth?: boolean;
  /**
   * Serve the Prometheus metrics without credentials. Off, a scrape needs a credential that
   * grants `status` on every model (`models: ['*']`), as metrics describe them all.
   * @defaultValue true
   */
  publicMetrics?: boolean;
  /** The realm of the `WWW-Authenticate` challenges. @defaultValue `'model-serving'` */
  realm?: string;
}
