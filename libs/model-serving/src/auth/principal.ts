import { type ModelServingVerb, type RateLimitOptions } from '../config/auth-options.interface.js';
import { type ResolvedGrant } from '../config/resolve-auth-options.js';

/**
 * Who a request authenticated as, set on `request.user` of HTTP requests the guard let through.
 * `id` names the credential (`api-key:<id>`, `jwt:<iss>|<sub>`), never its secret.
 * @publicApi
 */
export interface ModelServingPrincipal {
  readonly id: string;
  readonly method: 'api-key' | 'jwt';
  readonly grants: readonly ResolvedGrant[];
  /** The key's own budget; `false` exempts it; absent, `auth.rateLimit` applies. */
  readonly rateLimit?: RateLimitOptions | false;
}

/** Whether some grant covers `verb` on `model` (`*` as the model needs a grant of `*`). */
export function isAllowed(
  grants: readonly ResolvedGrant[],
  verb: ModelServingVerb,
  model: string,
): boolean {
  return grants.some(
    (grant) =>
      (grant.verbs.includes('*') || grant.verbs.includes(verb)) &&
      (grant.models.includes('*') || grant.models.includes(model)),
  );
}
