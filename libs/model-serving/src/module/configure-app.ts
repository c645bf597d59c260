import { type INestApplication } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type ResolvedModelServingOptions } from '../config/resolve-options.js';
import { rememberFormText } from '../decorators/predict-body.js';
import { ModelServingHttpExceptionFilter } from '../http/http-exception.filter.js';
import { parseBodyAhead } from '../tf-serving/rest/json/parsed-body.js';
import { isRawBodyUrl, isTfServingUrl } from '../tf-serving/rest/tf-serving-path.js';
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

type FastifyParser = (
  req: { url: string; headers: Record<string, unknown> },
  body: Buffer,
  done: (err: Error | null, body?: unknown) => void,
) => void;

interface BodyParserHost {
  useBodyParser(type: string | string[], options?: object, parser?: FastifyParser): unknown;
}

type ExpressMiddleware = (
  req: { url?: string; originalUrl?: string; body?: unknown },
  res: unknown,
  next: (error?: unknown) => void,
) => void;

interface MiddlewareHost {
  use(middleware: ExpressMiddleware): unknown;
}

function parseFastifyBody(prefix: string): FastifyParser {
  return (req, body, done) => {
    // TF Serving parses its bodies as JSON whatever the Content-Type (`curl -d` sends a form).
    if (isTfServingUrl(req.url, prefix)) {
      return parseBodyAhead(body, (text) => done(null, text));
    }
    const text = body.toString('utf8');
    if (isRawBodyUrl(req.url, prefix)) return done(null, text);
    const header = req.headers['content-type'];
    const type = typeof header === 'string' ? header : '';
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

/**
 * Sets an application up the way the library's routes need, on Express or Fastify: bodies of
 * TF Serving routes reach them as text (parsed by TF Serving's JSON rules whatever the
 * Content-Type), `@Predict` routes read JSON sent as a form (`curl -d`), body size up to
 * `maxRequestBodyBytes`, errors as `{ "error": "…" }`, and shutdown hooks. Call it in
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
  const adapter = app.getHttpAdapter();
  const parsers = app as unknown as BodyParserHost;
  if (adapter.getType() === 'fastify') {
    parsers.useBodyParser(
      ['application/json', 'application/x-www-form-urlencoded', 'text/plain', '*'],
      { bodyLimit: limit },
      parseFastifyBody(prefix),
    );
  } else {
    const urlOf = (req: { url?: string; originalUrl?: string }) => req.originalUrl ?? req.url ?? '';
    const isRaw = (req: { url?: string; originalUrl?: string }) => isRawBodyUrl(urlOf(req), prefix);
    // Raw bytes, so TF Serving bodies are parsed from them (and as text for the other routes).
    parsers.useBodyParser('raw', { type: isRaw, limit });
    (app as unknown as MiddlewareHost).use((req, _res, next) => {
      const { body } = req;
      if (!Buffer.isBuffer(body)) return next();
      if (!isTfServingUrl(urlOf(req), prefix)) {
        req.body = body.toString('utf8');
        return next();
      }
      parseBodyAhead(body, (text) => {
        req.body = text;
        next();
      });
    });
    parsers.useBodyParser('json', { limit });
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
