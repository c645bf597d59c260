import { AsyncLocalStorage } from 'node:async_hooks';
import {
  JsonLimitError,
  type JsonLimits,
  parseJson,
  parseJsonAsync,
  parsesInOnePass,
} from './json-reader.js';
import { type JsonValue } from './json-value.js';

/** A TF Serving body parsed while it was received: the text handed on, and what it parsed to. */
interface ParsedBody {
  readonly text: string;
  readonly doc: JsonValue | undefined;
  readonly error: unknown;
}

const parsedBodies = new AsyncLocalStorage<ParsedBody>();

/**
 * Parses a TF Serving body before the route runs, with {@link parseJsonAsync} (so a large body
 * yields to other requests; a small one is parsed at once, without a tick), then calls `next`
 * with the body text inside an async context that remembers the result for
 * {@link parsedBodyFor}. A parse error is kept, not thrown: the route reports it in TF
 * Serving's order (after its own path checks). A body past `limits` (checked in the same pass)
 * is refused at once through `refuse`, before the route.
 * @param bytes the raw body.
 * @param next hands `text` to the framework as the request body and continues the request.
 * @param limits checked while the body is parsed.
 * @param refuse answers a body past `limits` (the request does not go on).
 */
export function parseBodyAhead(
  bytes: Buffer,
  next: (text: string) => void,
  limits: JsonLimits,
  refuse: (error: JsonLimitError) => void,
): void {
  const text = bytes.toString('utf8');
  const proceed = (doc: JsonValue | undefined, error: unknown): void => {
    if (error instanceof JsonLimitError) return refuse(error);
    parsedBodies.run({ text, doc, error }, () => next(text));
  };
  if (!parsesInOnePass(bytes)) {
    parseJsonAsync(bytes, limits).then(
      (doc) => proceed(doc, undefined),
      (error: unknown) => proceed(undefined, error),
    );
    return;
  }
  let doc: JsonValue | undefined;
  let error: unknown;
  try {
    doc = parseJson(bytes, limits);
  } catch (caught) {
    error = caught;
  }
  proceed(doc, error);
}

/**
 * What {@link parseBodyAhead} parsed `text` to, in the request it parsed it for; `undefined`
 * when `text` is not that body (another body, or no body parsed ahead).
 * @throws the parse error {@link parseJsonAsync} raised for it.
 */
export function parsedBodyFor(text: string): JsonValue | undefined {
  const parsed = parsedBodies.getStore();
  // The very string handed on as the body: V8 compares the references first.
  if (parsed?.text !== text) return undefined;
  if (parsed.doc === undefined) throw parsed.error;
  return parsed.doc;
}
