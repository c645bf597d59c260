import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { ModelServingConfigError } from '../errors/model-serving-config.error.js';
import {
  type ApiKeyConfig,
  type AuthOptions,
  MODEL_SERVING_VERBS,
  type ModelServingVerb,
  type RateLimitOptions,
} from './auth-options.interface.js';

/** Models and verbs granted together; `*` in either list stands for all. */
export interface ResolvedGrant {
  readonly models: readonly string[];
  readonly verbs: readonly (ModelServingVerb | '*')[];
}

/** An API key as kept in memory: its SHA-256 only. */
export interface ResolvedApiKey {
  readonly id: string;
  readonly digest: Buffer;
  readonly grant: ResolvedGrant;
  readonly rateLimit?: RateLimitOptions | false;
}

/** `auth.jwt` with its key loaded (a secret, a public key or a local JWKS lookup). */
export interface ResolvedJwtOptions {
  readonly key: Uint8Array | KeyObject | JWTVerifyGetKey;
  readonly algorithms: readonly string[];
  readonly issuer?: string | readonly string[];
  readonly audience?: string | readonly string[];
  readonly clockToleranceSeconds: number;
  readonly scopeClaim: string;
}

/** `auth` validated, keys hashed and files read: what the guard and strategies use. */
export interface ResolvedAuthOptions {
  readonly apiKeys: readonly ResolvedApiKey[];
  readonly jwt?: ResolvedJwtOptions;
  readonly rateLimit?: RateLimitOptions;
  readonly publicHealth: boolean;
  readonly publicMetrics: boolean;
  readonly realm: string;
}

const DEFAULT_VERBS: readonly ModelServingVerb[] = ['predict', 'metadata', 'status'];
const DEFAULT_CLOCK_TOLERANCE_MS = 30_000;

function fail(field: string, problem: string): never {
  const name = field ? `auth.${field}` : 'auth';
  throw new ModelServingConfigError(`Invalid option ${name}: ${problem}`);
}

/** The SHA-256 of a presented or configured key. */
export function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function readText(field: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    fail(field, `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

function parseJson(field: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    fail(field, 'is not valid JSON');
  }
}

function stringList(field: string, value: unknown, fallback: readonly string[]): string[] {
  if (value === undefined) return [...fallback];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !v))
    fail(field, 'must be a list of non-empty strings');
  return [...(value as string[])];
}

function rateLimit(field: string, value: unknown): RateLimitOptions {
  const limit = (value as RateLimitOptions | null)?.limit;
  const ttlMs = (value as RateLimitOptions | null)?.ttlMs;
  if (typeof value !== 'object' || value === null) fail(field, 'must be { limit, ttlMs }');
  if (limit === undefined || !Number.isInteger(limit) || limit < 1)
    fail(`${field}.limit`, 'must be an integer >= 1');
  if (ttlMs === undefined || !Number.isInteger(ttlMs) || ttlMs < 1)
    fail(`${field}.ttlMs`, 'must be an integer >= 1 (ms)');
  return Object.freeze({ limit, ttlMs });
}

function apiKey(field: string, entry: unknown, seen: Set<string>): ResolvedApiKey {
  if (typeof entry !== 'object' || entry === null) fail(field, 'must be an object');
  const config = entry as Partial<ApiKeyConfig>;
  if (typeof config.id !== 'string' || !config.id)
    fail(`${field}.id`, 'must be a non-empty string');
  if (seen.has(config.id)) fail(`${field}.id`, `duplicates the id "${config.id}"`);
  seen.add(config.id);
  let digest: Buffer;
  if (config.key !== undefined && config.sha256 !== undefined)
    fail(field, 'takes key or sha256, not both');
  if (config.key !== undefined) {
    if (typeof config.key !== 'string' || config.key.length < 8)
      fail(`${field}.key`, 'must be a string of at least 8 characters');
    digest = sha256(config.key);
  } else if (typeof config.sha256 === 'string' && /^[0-9a-f]{64}$/i.test(config.sha256)) {
    digest = Buffer.from(config.sha256, 'hex');
  } else {
    fail(field, 'needs key or sha256 (64 hex digits)');
  }
  const verbs = stringList(`${field}.verbs`, config.verbs, DEFAULT_VERBS);
  for (const verb of verbs) {
    if (verb !== '*' && !MODEL_SERVING_VERBS.includes(verb as ModelServingVerb))
      fail(`${field}.verbs`, `"${verb}" is not one of ${MODEL_SERVING_VERBS.join(', ')}, *`);
  }
  const grant = Object.freeze({
    models: Object.freeze(stringList(`${field}.models`, config.models, ['*'])),
    verbs: Object.freeze(verbs as (ModelServingVerb | '*')[]),
  });
  const limit =
    config.rateLimit === undefined || config.rateLimit === false
      ? config.rateLimit
      : rateLimit(`${field}.rateLimit`, config.rateLimit);
  return Object.freeze({ id: config.id, digest, grant, rateLimit: limit });
}

function keyList(field: string, value: unknown): unknown[] {
  if (!Array.isArray(value)) fail(field, 'must be a list of API keys');
  return value;
}

function envKeys(name: string): unknown[] {
  const value = process.env[name];
  if (value === undefined || !value.trim()) fail('apiKeysEnv', `the variable ${name} is not set`);
  if (value.trim().startsWith('[')) return keyList('apiKeysEnv', parseJson('apiKeysEnv', value));
  return value
    .split(',')
    .map((key) => key.trim())
    .filter(Boolean)
    .map((key, index) => ({ id: `${name}[${index}]`, key }));
}

function jwtKey(jwt: NonNullable<AuthOptions['jwt']>): {
  key: ResolvedJwtOptions['key'];
  algorithms: string[];
} {
  const sources = [jwt.secret, jwt.publicKeyFile, jwt.jwksFile].filter((s) => s !== undefined);
  if (sources.length !== 1) fail('jwt', 'takes exactly one of secret, publicKeyFile, jwksFile');
  if (jwt.secret !== undefined) {
    if (typeof jwt.secret !== 'string' || jwt.secret.length < 16)
      fail('jwt.secret', 'must be a string of at least 16 characters');
    return { key: new TextEncoder().encode(jwt.secret), algorithms: ['HS256'] };
  }
  if (jwt.publicKeyFile !== undefined) {
    const pem = readText('jwt.publicKeyFile', jwt.publicKeyFile);
    let key: KeyObject;
    try {
      key = createPublicKey(pem);
    } catch {
      fail('jwt.publicKeyFile', `${jwt.publicKeyFile} holds no PEM public key`);
    }
    return { key, algorithms: key.asymmetricKeyType === 'ec' ? ['ES256'] : ['RS256'] };
  }
  const path = jwt.jwksFile!;
  const jwks = parseJson('jwt.jwksFile', readText('jwt.jwksFile', path)) as JSONWebKeySet;
  if (!Array.isArray(jwks?.keys)) fail('jwt.jwksFile', `${path} holds no "keys" list`);
  return { key: createLocalJWKSet(jwks), algorithms: ['RS256', 'ES256'] };
}

function audienceOrIssuer(field: string, value: unknown): string | readonly string[] | undefined {
  if (value === undefined || (typeof value === 'string' && value)) return value;
  return Object.freeze(stringList(field, value, []));
}

function resolveJwt(jwt: AuthOptions['jwt']): ResolvedJwtOptions | undefined {
  if (jwt === undefined) return undefined;
  if (typeof jwt !== 'object' || jwt === null) fail('jwt', 'must be an object');
  const { key, algorithms } = jwtKey(jwt);
  const tolerance = jwt.clockToleranceMs ?? DEFAULT_CLOCK_TOLERANCE_MS;
  if (!Number.isInteger(tolerance) || tolerance < 0)
    fail('jwt.clockToleranceMs', 'must be an integer >= 0 (ms)');
  const scopeClaim = jwt.scopeClaim ?? 'scope';
  if (typeof scopeClaim !== 'string' || !scopeClaim) fail('jwt.scopeClaim', 'must be a claim name');
  return Object.freeze({
    key,
    algorithms: Object.freeze(stringList('jwt.algorithms', jwt.algorithms, algorithms)),
    issuer: audienceOrIssuer('jwt.issuer', jwt.issuer),
    audience: audienceOrIssuer('jwt.audience', jwt.audience),
    clockToleranceSeconds: tolerance / 1000,
    scopeClaim,
  });
}

/**
 * `auth` with defaults applied, keys hashed (the plain keys are not kept) and key files read;
 * `undefined` when authentication is off.
 * @throws ModelServingConfigError naming the field at fault.
 */
export function resolveAuthOptions(auth: AuthOptions | undefined): ResolvedAuthOptions | undefined {
  if (auth === undefined) return undefined;
  if (typeof auth !== 'object' || auth === null) fail('', 'must be an object');
  const entries: [string, unknown][] = [];
  if (auth.apiKeys !== undefined)
    keyList('apiKeys', auth.apiKeys).forEach((e, i) => entries.push([`apiKeys[${i}]`, e]));
  if (auth.apiKeysFile !== undefined) {
    const text = readText('apiKeysFile', auth.apiKeysFile);
    keyList('apiKeysFile', parseJson('apiKeysFile', text)).forEach((e, i) =>
      entries.push([`apiKeysFile[${i}]`, e]),
    );
  }
  if (auth.apiKeysEnv !== undefined)
    envKeys(auth.apiKeysEnv).forEach((e, i) => entries.push([`apiKeysEnv[${i}]`, e]));
  const seen = new Set<string>();
  const apiKeys = entries.map(([field, entry]) => apiKey(field, entry, seen));
  const jwt = resolveJwt(auth.jwt);
  if (apiKeys.length === 0 && !jwt)
    fail('', 'configures no credential: give apiKeys, apiKeysFile, apiKeysEnv or jwt');
  const publicHealth = auth.publicHealth ?? true;
  if (typeof publicHealth !== 'boolean') fail('publicHealth', 'must be a boolean');
  const publicMetrics = auth.publicMetrics ?? true;
  if (typeof publicMetrics !== 'boolean') fail('publicMetrics', 'must be a boolean');
  const realm = auth.realm ?? 'model-serving';
  if (typeof realm !== 'string' || !/^[\w.:/ -]+$/.test(realm))
    fail('realm', 'must be letters, digits, spaces or . : / -');
  return Object.freeze({
    apiKeys: Object.freeze(apiKeys),
    jwt,
    rateLimit: auth.rateLimit === undefined ? undefined : rateLimit('rateLimit', auth.rateLimit),
    publicHealth,
    publicMetrics,
    realm,
  });
}
