import { InvalidInputError } from '../../errors/invalid-input.error.js';

/** TF Serving's REST paths, matched on path and query together, case-insensitively. */
const PREDICTION_PATH =
  /^\/v1\/models\/([^/:]+)(?:(?:\/versions\/(\d+))|(?:\/labels\/([^/:]+)))?:(classify|regress|predict)$/i;
const STATUS_PATH =
  /^\/v1\/models(?:\/([^/:]+))?(?:(?:\/versions\/(\d+))|(?:\/labels\/([^/:]+)))?(?:\/(metadata))?$/i;

/** The model a REST path names. */
export interface ModelPath {
  readonly name: string;
  readonly version?: number;
  readonly label?: string;
}

export type PredictionVerb = 'predict' | 'classify' | 'regress';

export type PredictionRoute = ModelPath & { kind: 'prediction'; verb: PredictionVerb };

export type TfServingRoute =
  PredictionRoute | (ModelPath & { kind: 'status' }) | (ModelPath & { kind: 'metadata' });

function malformed(method: string, url: string): InvalidInputError {
  return new InvalidInputError(`Malformed request: ${method} ${url}`);
}

function decode(value: string, what: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new InvalidInputError(`Failed to decode ${what}:${value}`);
  }
}

function modelPath(
  name: string | undefined,
  version: string | undefined,
  label: string | undefined,
): ModelPath {
  if (!name) throw new InvalidInputError('Missing model name in request.');
  const path: { name: string; version?: number; label?: string } = {
    name: decode(name, 'model name'),
  };
  if (version !== undefined) {
    const parsed = Number(version);
    // TF Serving reads versions as int64; past JS's exact integers a version cannot exist here.
    if (!Number.isSafeInteger(parsed))
      throw new InvalidInputError(`Failed to convert version: ${version} to numeric.`);
    path.version = parsed;
  }
  if (label !== undefined) path.label = decode(label, 'model version label');
  return path;
}

/**
 * Reads a request the way TF Serving's HTTP handler does: `url` is the path and query after
 * any route prefix, not decoded. Anything that is not one of its routes is a 400
 * `Malformed request: <METHOD> <url>`.
 */
export function parseTfServingRoute(method: 'POST', url: string): PredictionRoute;
export function parseTfServingRoute(method: string, url: string): TfServingRoute;
export function parseTfServingRoute(method: string, url: string): TfServingRoute {
  if (method === 'POST') {
    const m = PREDICTION_PATH.exec(url);
    const verb = m?.[4];
    if (!m || (verb !== 'predict' && verb !== 'classify' && verb !== 'regress'))
      throw malformed(method, url);
    return { kind: 'prediction', verb, ...modelPath(m[1], m[2], m[3]) };
  }
  if (method === 'GET') {
    const m = STATUS_PATH.exec(url);
    if (!m) throw malformed(method, url);
    const kind = m[4] === 'metadata' ? 'metadata' : 'status';
    return { kind, ...modelPath(m[1], m[2], m[3]) };
  }
  throw malformed(method, url);
}

/** A route prefix as `''` or `/a/b` (no trailing slash). */
export function normalizePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/^\/+|\/+$/g, '');
  return trimmed ? `/${trimmed}` : '';
}

/** Whether a request URL is under TF Serving's `/v1` tree (after the prefix). */
export function isTfServingUrl(url: string, prefix: string): boolean {
  const path = url.toLowerCase();
  const root = `${prefix.toLowerCase()}/v1`;
  return path === root || path.startsWith(`${root}/`) || path.startsWith(`${root}?`);
}

/**
 * Whether a request's body is the library's to parse: TF Serving's `/v1` tree and the Open
 * Inference Protocol's `…/infer` routes, both sent as JSON whatever their Content-Type.
 */
export function isRawBodyUrl(url: string, prefix: string): boolean {
  if (isTfServingUrl(url, prefix)) return true;
  const path = url.toLowerCase().split('?')[0]!;
  return path.startsWith(`${prefix.toLowerCase()}/v2/models/`) && path.endsWith('/infer');
}
