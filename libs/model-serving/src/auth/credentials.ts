import { type ExecutionContext } from '@nestjs/common';
import { type ResolvedAuthOptions } from '../config/resolve-auth-options.js';
import { type ModelServingPrincipal } from './principal.js';

/** Where the guard hands the app's auth options to the (process-wide) passport strategies. */
export const AUTH_OPTIONS = Symbol('modelServingAuthOptions');

/**
 * What passport sees of a request: the two credential headers of HTTP or gRPC metadata, and the
 * app's options. Passport keeps one strategy per name for the whole process, so the strategies
 * hold no state: two apps in one process each verify with their own keys.
 */
export interface AuthRequest {
  readonly headers: { readonly 'x-api-key'?: string; readonly authorization?: string };
  readonly [AUTH_OPTIONS]: ResolvedAuthOptions;
  user?: ModelServingPrincipal;
}

/** Why a strategy did not authenticate: nothing of its kind was sent, or it was wrong. */
export type AuthFailure =
  | { readonly kind: 'missing' }
  | { readonly kind: 'invalid'; readonly message: string; readonly scheme: 'ApiKey' | 'Bearer' };

function first(value: unknown): string | undefined {
  const item: unknown = Array.isArray(value) ? value[0] : value;
  if (typeof item === 'string') return item;
  if (Buffer.isBuffer(item)) return item.toString('utf8');
  return undefined;
}

/** The credential headers of an HTTP request or a gRPC call's metadata. */
export function authRequestOf(context: ExecutionContext, auth: ResolvedAuthOptions): AuthRequest {
  let read: (name: string) => string | undefined;
  if (context.getType() === 'rpc') {
    const metadata = context.switchToRpc().getContext<{ get?(key: string): unknown[] }>();
    read = (name) => first(metadata?.get?.(name));
  } else {
    const headers =
      context.switchToHttp().getRequest<{ headers?: Record<string, unknown> }>().headers ?? {};
    read = (name) => first(headers[name]);
  }
  const apiKey = read('x-api-key');
  const authorization = read('authorization');
  return {
    headers: {
      ...(apiKey !== undefined && { 'x-api-key': apiKey }),
      ...(authorization !== undefined && { authorization }),
    },
    [AUTH_OPTIONS]: auth,
  };
}

/** The token of `Authorization: Bearer <token>`. */
export function bearerToken(request: AuthRequest): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

/** A compact JWS: three base64url parts. */
export function looksLikeJwt(token: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]*$/.test(token);
}
