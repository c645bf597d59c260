/** The parts of Express's and Fastify's response objects the TF Serving controllers use. */
export interface HttpResponseLike {
  status?(code: number): unknown;
  code?(code: number): unknown;
  header?(name: string, value: string): unknown;
  setHeader?(name: string, value: string): unknown;
}

/** The parts of Express's and Fastify's request objects the TF Serving controllers use. */
export interface HttpRequestLike {
  method: string;
  url: string;
  originalUrl?: string;
  body?: unknown;
}

/** Marks a response as JSON, whatever the adapter. */
export function setJsonContentType(res: HttpResponseLike): void {
  if (res.header) res.header('Content-Type', 'application/json');
  else res.setHeader?.('Content-Type', 'application/json');
}

/** The request path and query as the client sent them, without the route prefix. */
export function requestPath(req: HttpRequestLike, prefix: string): string {
  const url = req.originalUrl ?? req.url;
  return prefix && url.toLowerCase().startsWith(prefix.toLowerCase())
    ? url.slice(prefix.length)
    : url;
}

/** The raw body as text: `configureModelServingApp` makes the adapters hand it over unparsed. */
export function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  if (body === undefined || body === null) return '';
  // A body parsed by someone else's parser: the best we can do is write it back.
  return JSON.stringify(body);
}
