import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { errors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { Strategy } from 'passport-custom';
import { MODEL_SERVING_VERBS, type ModelServingVerb } from '../config/auth-options.interface.js';
import {
  type ResolvedGrant,
  type ResolvedJwtOptions,
  sha256,
} from '../config/resolve-auth-options.js';
import {
  AUTH_OPTIONS,
  type AuthFailure,
  type AuthRequest,
  bearerToken,
  looksLikeJwt,
} from './credentials.js';
import { type ModelServingPrincipal } from './principal.js';

/** The passport name of the JWT strategy. */
export const JWT_STRATEGY = 'model-serving-jwt';

/** `verb:model` items of a scope claim (string or list); other items are someone else's. */
export function grantsFromScope(claim: unknown): ResolvedGrant[] {
  const items =
    typeof claim === 'string'
      ? claim.split(/\s+/)
      : Array.isArray(claim)
        ? claim.filter((c): c is string => typeof c === 'string')
        : [];
  const grants: ResolvedGrant[] = [];
  for (const item of items) {
    const colon = item.indexOf(':');
    if (colon <= 0 || colon === item.length - 1) continue;
    const verb = item.slice(0, colon);
    if (verb !== '*' && !MODEL_SERVING_VERBS.includes(verb as ModelServingVerb)) continue;
    grants.push({ verbs: [verb as ModelServingVerb | '*'], models: [item.slice(colon + 1)] });
  }
  return grants;
}

/** Why jose refused a token, in words that never repeat it. */
function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return 'issuer not accepted';
    if (error.claim === 'aud') return 'audience not accepted';
    if (error.claim === 'nbf') return 'not valid yet';
    if (error.claim === 'exp') return 'no expiry';
    return `claim ${error.claim} not accepted`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature does not verify';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'algorithm not accepted';
  if (error instanceof errors.JWKSNoMatchingKey) return 'no matching key';
  return 'malformed';
}

async function verify(token: string, jwt: ResolvedJwtOptions): Promise<JWTPayload> {
  const options: JWTVerifyOptions = {
    algorithms: [...jwt.algorithms],
    clockTolerance: jwt.clockToleranceSeconds,
    requiredClaims: ['exp'],
    ...(jwt.issuer !== undefined && { issuer: jwt.issuer as string | string[] }),
    ...(jwt.audience !== undefined && { audience: jwt.audience as string | string[] }),
  };
  const { key } = jwt;
  const result =
    typeof key === 'function'
      ? await jwtVerify(token, key, options)
      : await jwtVerify(token, key, options);
  return result.payload;
}

/**
 * JWT bearer tokens (HS256, RS256, ES256) checked for signature, `iss`, `aud` and `exp` with the
 * configured clock tolerance; grants come from the scope claim. Stateless: the options come with
 * the request (see `AuthRequest`).
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, JWT_STRATEGY) {
  async validate(request: AuthRequest): Promise<ModelServingPrincipal | [false, AuthFailure]> {
    const auth = request[AUTH_OPTIONS];
    const token = bearerToken(request);
    if (!auth.jwt || token === undefined) return [false, { kind: 'missing' }];
    // A bearer that is not a JWT was the API key strategy's to judge.
    if (auth.apiKeys.length > 0 && !looksLikeJwt(token)) return [false, { kind: 'missing' }];
    let payload: JWTPayload;
    try {
      payload = await verify(token, auth.jwt);
    } catch (error) {
      const message = `Invalid bearer token: ${reasonOf(error)}`;
      return [false, { kind: 'invalid', message, scheme: 'Bearer' }];
    }
    const subject = payload.sub ?? `token:${sha256(token).toString('hex').slice(0, 16)}`;
    return {
      id: `jwt:${payload.iss ?? ''}|${subject}`,
      method: 'jwt',
      grants: grantsFromScope(payload[auth.jwt.scopeClaim]),
    };
  }
}
