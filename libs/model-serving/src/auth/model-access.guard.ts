import { type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { type ThrottlerStorage } from '@nestjs/throttler';
import { type ResolvedModelServingOptions } from '../config/resolve-options.js';
import { type ResolvedAuthOptions } from '../config/resolve-auth-options.js';
import { Servable } from '../decorators/servable.decorator.js';
import { PermissionDeniedError } from '../errors/permission-denied.error.js';
import { RateLimitExceededError } from '../errors/rate-limit-exceeded.error.js';
import { UnauthenticatedError } from '../errors/unauthenticated.error.js';
import {
  MODEL_SERVING_RATE_LIMITER,
  MODEL_SERVING_RESOLVED_OPTIONS,
} from '../module/model-serving.constants.js';
import { API_KEY_STRATEGY } from './api-key.strategy.js';
import { type AuthFailure, type AuthRequest, authRequestOf } from './credentials.js';
import { JWT_STRATEGY } from './jwt.strategy.js';
import {
  type AccessTarget,
  MODEL_SERVING_API,
  type ModelServingApiMetadata,
} from './model-serving-api.metadata.js';
import { isAllowed, type ModelServingPrincipal } from './principal.js';
import { Public } from './public.decorator.js';

const THROTTLER_NAME = 'model-serving-auth';

// Requests this guard already let through: `@ModelServingApi()` on a class and on one of its
// handlers attaches the guard twice, and the first run already read the handler's metadata.
const admitted = new WeakSet<object>();

function challenge(auth: ResolvedAuthOptions, failure?: AuthFailure): string {
  const realm = `realm="${auth.realm}"`;
  const bearerError = failure?.kind === 'invalid' ? ', error="invalid_token"' : '';
  const challenges = [`Bearer ${realm}${bearerError}`];
  if (auth.apiKeys.length > 0) challenges.push(`ApiKey ${realm}`);
  return challenges.join(', ');
}

/**
 * Authenticates a request with passport (API key, then JWT), spends the credential's rate
 * limit, then checks that it grants the verb on every model the request names. With `auth`
 * off it lets everything through at once. Attached by `@ModelServingApi()`.
 * @throws UnauthenticatedError (401), PermissionDeniedError (403), RateLimitExceededError (429).
 * @publicApi
 */
@Injectable()
export class ModelServingAuthGuard extends AuthGuard([API_KEY_STRATEGY, JWT_STRATEGY]) {
  private readonly passportRequests = new WeakMap<ExecutionContext, AuthRequest>();

  constructor(
    private readonly reflector: Reflector,
    @Inject(MODEL_SERVING_RESOLVED_OPTIONS)
    private readonly options: Pick<ResolvedModelServingOptions, 'auth'>,
    @Inject(MODEL_SERVING_RATE_LIMITER) private readonly limiter: ThrottlerStorage,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const auth = this.options.auth;
    if (!auth) return true;
    const subject = context.getArgByIndex<object | undefined>(0);
    if (subject && admitted.has(subject)) return true;
    const scope = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride(Public, scope)) return true;
    // Field by field, handler first: `@ModelServingApi({ verb })` on a handler keeps the class's model.
    const api: ModelServingApiMetadata = {
      ...this.reflector.get(MODEL_SERVING_API, context.getClass()),
      ...this.reflector.get(MODEL_SERVING_API, context.getHandler()),
    };
    if (api.health && auth.publicHealth) return true;
    if (api.metrics && auth.publicMetrics) return true;

    const request = authRequestOf(context, auth);
    this.passportRequests.set(context, request);
    try {
      await super.canActivate(context);
    } catch (error) {
      if (error instanceof UnauthenticatedError) {
        this.setHeader(context, 'WWW-Authenticate', String(error.details?.['challenge']));
      }
      throw error;
    }
    const principal = request.user!;
    // Counted before authorization, so a credential probing models it lacks is limited too.
    await this.throttle(context, principal, auth);
    this.authorize(principal, this.targetsOf(context, api));
    if (subject) admitted.add(subject);
    if (context.getType() === 'http')
      context.switchToHttp().getRequest<{ user?: ModelServingPrincipal }>().user = principal;
    return true;
  }

  override getRequest(context: ExecutionContext): AuthRequest | undefined {
    return this.passportRequests.get(context);
  }

  getResponse(): object {
    // With a callback, passport never writes to the response.
    return {};
  }

  override handleRequest<TUser = ModelServingPrincipal>(
    error: unknown,
    user: TUser | false,
    info: unknown,
  ): TUser {
    // The strategies report failures, not errors: an error here is unexpected (500).
    if (error instanceof Error) throw error;
    if (error) throw new Error('Authentication failed unexpectedly');
    if (user) return user;
    const auth = this.options.auth!;
    const failures = (Array.isArray(info) ? info : [info]) as (AuthFailure | undefined)[];
    const invalid = failures.find((f) => f?.kind === 'invalid');
    const message =
      invalid?.kind === 'invalid'
        ? invalid.message
        : 'Authentication required: send an API key in x-api-key or a token in Authorization: Bearer';
    throw new UnauthenticatedError(message, { challenge: challenge(auth, invalid) });
  }

  private targetsOf(
    context: ExecutionContext,
    api: ModelServingApiMetadata,
  ): readonly AccessTarget[] {
    if (api.targets) return api.targets(context);
    const servable = Reflect.getMetadata(Servable.KEY, context.getClass()) as
      { name?: string } | undefined;
    const model = api.model ?? servable?.name;
    return model ? [{ verb: api.verb ?? 'predict', model }] : [];
  }

  private authorize(principal: ModelServingPrincipal, targets: readonly AccessTarget[]): void {
    for (const { verb, model } of targets) {
      if (model === undefined || isAllowed(principal.grants, verb, model)) continue;
      const what = model === '*' ? 'the server' : `model "${model}"`;
      throw new PermissionDeniedError(`Permission denied: this credential may not ${verb} ${what}`);
    }
  }

  private async throttle(
    context: ExecutionContext,
    principal: ModelServingPrincipal,
    auth: ResolvedAuthOptions,
  ): Promise<void> {
    const budget =
      principal.rateLimit === false ? undefined : (principal.rateLimit ?? auth.rateLimit);
    if (!budget) return;
    const record = await this.limiter.increment(
      principal.id,
      budget.ttlMs,
      budget.limit,
      budget.ttlMs,
      THROTTLER_NAME,
    );
    if (!record.isBlocked) return;
    const retryAfterSeconds = Math.max(1, record.timeToBlockExpire);
    this.setHeader(context, 'Retry-After', String(retryAfterSeconds));
    throw new RateLimitExceededError(
      `Rate limit exceeded: ${budget.limit} requests per ${budget.ttlMs} ms for this credential`,
      { retryAfterSeconds },
    );
  }

  private setHeader(context: ExecutionContext, name: string, value: string): void {
    const adapter = this.adapterHost.httpAdapter;
    if (context.getType() !== 'http' || !adapter) return;
    adapter.setHeader(context.switchToHttp().getResponse(), name, value);
  }
}
