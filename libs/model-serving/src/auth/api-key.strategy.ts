import { timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-custom';
import { type ResolvedApiKey, sha256 } from '../config/resolve-auth-options.js';
import {
  AUTH_OPTIONS,
  type AuthFailure,
  type AuthRequest,
  bearerToken,
  looksLikeJwt,
} from './credentials.js';
import { type ModelServingPrincipal } from './principal.js';

/** The passport name of the API key strategy. */
export const API_KEY_STRATEGY = 'model-serving-api-key';

/** The configured key whose SHA-256 equals the presented key's, compared in constant time. */
function findKey(keys: readonly ResolvedApiKey[], presented: string): ResolvedApiKey | undefined {
  const digest = sha256(presented);
  let found: ResolvedApiKey | undefined;
  // Every key is compared, so the time taken says nothing about which key came close.
  for (const key of keys) {
    if (timingSafeEqual(key.digest, digest) && !found) found = key;
  }
  return found;
}

/**
 * API keys from `x-api-key`, or from `Authorization: Bearer` when the token is not a JWT (or no
 * JWT is configured). Stateless: the keys come with the request (see `AuthRequest`).
 */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(Strategy, API_KEY_STRATEGY) {
  validate(request: AuthRequest): ModelServingPrincipal | [false, AuthFailure] {
    const auth = request[AUTH_OPTIONS];
    const bearer = bearerToken(request);
    const presented =
      request.headers['x-api-key'] ??
      (bearer !== undefined && !(auth.jwt && looksLikeJwt(bearer)) ? bearer : undefined);
    if (presented === undefined || auth.apiKeys.length === 0) return [false, { kind: 'missing' }];
    const key = findKey(auth.apiKeys, presented);
    if (!key) return [false, { kind: 'invalid', message: 'Invalid API key', scheme: 'ApiKey' }];
    return {
      id: `api-key:${key.id}`,
      method: 'api-key',
      grants: [key.grant],
      ...(key.rateLimit !== undefined && { rateLimit: key.rateLimit }),
    };
  }
}
