import { type Server } from 'node:http';
import { type Readable } from 'node:stream';
import { type INestApplication } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type ResolvedModelServingOptions } from '../config/resolve-options.js';
import { rememberFormText } from '../decorators/predict-body.js';
import { ModelServingHttpExceptionFilter } from '../http/http-exception.filter.js';
import { parseBodyAhead } from '../tf-serving/rest/json/parsed-body.js';
import { isRawBodyUrl, isTfServingUrl } from '../tf-serving/rest/tf-serving-path.js';
import { answerClientErrors, guardFastifyUrls } from './client-errors.js';
import { CORS_HEADERS, preflightAnswer } from './cors.js';
import {
  checkJsonLimits,
  decodeBody,
  type JsonLimits,
  RequestLimitError,
} from './request-limits.js';
import {
  MODEL_SERVING_RESOLVED_OPTIONS,
  MODEL_SERVING_REST_PREFIX,
} from './model-serving.constants.js';

/** Options of `configureModelServingApp`. @publicApi */
export interface ConfigureModelServingAppOptions {
  /** Call `app.enableShutdownHooks()` so SIGTERM unloads models cleanly. @defaultValue true */
  enableShutdownHooks?: boolean;
  /** Answer every HTTP error of the app as `{ "error": "…" }`. @defaultValue true */
  useErrorFilter?: boolean;
}

interface FastifyRequestLike {
  method: string;
  headers: Record<string, unknown>;
}

interface FastifyReplyLike {
  header(name: string, value: string): unknown;
  code(status: number): FastifyReplyLike;
  type(contentType: string): FastifyReplyLike;
  send(body: string): unknown;
}

interface FastifyHooks {
  addHook(
    name: 'onRequest',
    hook: (req: FastifyRequestLike, reply: FastifyReplyLike, done: () => void) => void,
  ): unknown;
  addHook(
    name: 'preParsing',
    hook: (
      req: FastifyRequestLike,
      reply: unknown,
      payload: Readable,
      done: (err: Error | null, payload?: Readable) => void,
    ) => void,
  ): unknown;
}

interface NodeRequestLike {
  method?: string;
  headers: Record<string, unknown>;
}

interface NodeResponseLike {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
}

type FastifyParser = (
  req: { url: string; headers: Record<string, unknown> },
  body: Buffer,
  done: (err: Error | null, body?: unknown) => void,
) => void;

interface BodyParserHost {
  useBodyParser(type: string | string[], options?: object, parser?: FastifyParser): unknown;
}

type ExpressMiddleware = (
  req: { url?: string; originalUrl?: string; body?: unknown } & NodeRequestLike,
  res: NodeResponseLike,
  next: (error?: unknown) => void,
) => void;

interface MiddlewareHost {
  use(middleware: ExpressMiddleware): unknown;
}

/** Runs `check`; its error, if any, is what `done` gets. */
function failed(check: () => void): Error | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    return error as Error;
  }
}

function parseFastifyBody(prefix: string, limits: JsonLimits): FastifyParser {
  return (req, body, done) => {
    const header = req.headers['content-type'];
    const type = typeof header === 'string' ? header : '';
    const raw = isRawBodyUrl(req.url, prefix);
    // TF Serving parses its bodies as JSON whatever the Content-Type (`curl -d` sends a form),
    // checking the limits in the same pass.
    if (isTfServingUrl(req.url, prefix)) {
      return parseBodyAhead(
        body,
        (text) => done(null, text),
        limits,
        (error) => done(new RequestLimitError(400, error.message)),
      );
    }
    if (raw || type.includes('json')) {
      const tooBig = failed(() => checkJsonLimits(body, limits));
      if (tooBig) return done(tooBig);
    }
    const text = body.toString('utf8');
    if (raw) return done(null, text);
    if (type.includes('json')) {
      if (text.trim() === '') return done(null, undefined);
      try {
        return done(null, JSON.parse(text));
      } catch (error) {
        const bad = new Error(error instanceof Error ? error.message : 'Invalid JSON') as Error & {
          statusCode: number;
        };
        bad.statusCode = 400;
        return done(bad);
      }
    }
    if (type.includes('x-www-form-urlencoded')) {
      rememberFormText(req, text);
      return done(null, Object.fromEntries(new URLSearchParams(text)));
    }
    return done(null, text);
  };
}

/** Adds TF Serving's CORS headers to every answer and answers preflights (OPTIONS) itself. */
function corsMiddleware(): ExpressMiddleware {
  return (req, res, next) => {
    for (const [name, value] of Object.entries(CORS_HEADERS)) res.setHeader(name, value);
    if (req.method !== 'OPTIONS') return next();
    const { status, body } = preflightAnswer(req.headers['origin']);
    res.statusCode = status;
    if (body) res.setHeader('Content-Type', 'application/json');
    res.end(body);
  };
}

function corsHook(req: FastifyRequestLike, reply: FastifyReplyLike, done: () => void): void {
  for (const [name, value] of Object.entries(CORS_HEADERS)) reply.header(name, value);
  if (req.method !== 'OPTIONS') return done();
  const { status, body } = preflightAnswer(req.headers['origin']);
  void reply.code(status).type('application/json').send(body);
}

/**
 * Sets an application up the way the library's routes need, on Express or Fastify: bodies of
 * TF Serving routes reach them as text (parsed by TF Serving's JSON rules whatever the
 * Content-Type), `@Predict` routes read JSON sent as a form (`curl -d`); request limits
 * (`maxRequestBodyBytes` after `Content-Encoding: gzip`/`deflate` decompression → 413,
 * `maxJsonDepth` and `maxJsonElements` → 400); TF Serving's CORS headers with
 * `restApiEnableCorsSupport`; errors as `{ "error": "…" }`, and shutdown hooks. Call it in
 * `main.ts` before `listen`.
 * @publicApi
 */
export function configureModelServingApp(
  app: INestApplication,
  options: ConfigureModelServingAppOptions = {},
): void {
  const resolved = app.get<ResolvedModelServingOptions>(MODEL_SERVING_RESOLVED_OPTIONS);
  const prefix = app.get<string>(MODEL_SERVING_REST_PREFIX);
  const limit = resolved.maxRequestBodyBytes;
  const json: JsonLimits = {
    maxDepth: resolved.maxJsonDepth,
    maxElements: resolved.maxJsonElements,
  };
  const adapter = app.getHttpAdapter();
  const parsers = app as unknown as BodyParserHost;
  const server = adapter.getHttpServer() as Server | undefined;
  if (server) answerClientErrors(server);
  if (adapter.getType() === 'fastify') {
    const fastify = adapter.getInstance() as FastifyHooks & {
      initialConfig?: { maxParamLength?: number };
    };
    if (server) {
      // The library's parametric routes: TF Serving's `/v1/models/…`, the v2 `/v2/models/…`.
      const roots = [`${prefix}/v1/`, `${prefix}/v2/`];
      guardFastifyUrls(server, fastify.initialConfig?.maxParamLength ?? 100, roots);
    }
    if (resolved.restApiEnableCorsSupport) fastify.addHook('onRequest', corsHook);
    fastify.addHook('preParsing', (req, _reply, payload, done) => {
      let decoded: Readable;
      try {
        decoded = decodeBody(req.headers['content-encoding'], payload);
      } catch (error) {
        return done(error as Error);
      }
      done(null, decoded);
    });
    parsers.useBodyParser(
      ['application/json', 'application/x-www-form-urlencoded', 'text/plain', '*'],
      { bodyLimit: limit },
      parseFastifyBody(prefix, json),
    );
  } else {
    // TF Serving sends neither; the ETag would hash every answer body.
    const express = adapter.getInstance() as { set?(name: string, value: unknown): unknown };
    express.set?.('etag', false);
    express.set?.('x-powered-by', false);
    const middleware = app as unknown as MiddlewareHost;
    if (resolved.restApiEnableCorsSupport) middleware.use(corsMiddleware());
    const urlOf = (req: { url?: string; originalUrl?: string }) => req.originalUrl ?? req.url ?? '';
    const isRaw = (req: { url?: string; originalUrl?: string }) => isRawBodyUrl(urlOf(req), prefix);
    // Raw bytes, so TF Serving bodies are parsed from them (and as text for the other routes).
    // body-parser inflates gzip and deflate bodies and applies `limit` to the inflated bytes.
    parsers.useBodyParser('raw', { type: isRaw, limit });
    middleware.use((req, _res, next) => {
      const { body } = req;
      if (!Buffer.isBuffer(body)) return next();
      if (!isTfServingUrl(urlOf(req), prefix)) {
        const tooBig = failed(() => checkJsonLimits(body, json));
        if (tooBig) return next(tooBig);
        req.body = body.toString('utf8');
        return next();
      }
      // The limits are checked while the body is parsed, in one pass.
      parseBodyAhead(
        body,
        (text) => {
          req.body = text;
          next();
        },
        json,
        (error) => next(new RequestLimitError(400, error.message)),
      );
    });
    parsers.useBodyParser('json', {
      limit,
      verify: (_req: object, _res: unknown, body: Buffer) => checkJsonLimits(body, json),
    });
    parsers.useBodyParser('urlencoded', {
      limit,
      extended: true,
      verify: (req: object, _res: unknown, body: Buffer) =>
        rememberFormText(req, body.toString('utf8')),
    });
  }
  if (options.useErrorFilter ?? true) {
    app.useGlobalFilters(new ModelServingHttpExceptionFilter(app.get(HttpAdapterHost).httpAdapter));
  }
  if (options.enableShutdownHooks ?? true) app.enableShutdownHooks();
}
