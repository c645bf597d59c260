import { type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import { type Duplex } from 'node:stream';
import { encodeErrorBody } from '../tf-serving/rest/json/predict-response.js';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

function clientErrorAnswer(code: string | undefined): { status: number; message: string } {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return { status: 431, message: 'The request headers are too large' };
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { status: 408, message: 'The request took too long to arrive' };
  }
  return { status: 400, message: 'The request is not valid HTTP' };
}

/**
 * Answers requests Node cannot parse (a byte not allowed in a URL, a broken header) with
 * `{ "error": "…" }` as every other error: Node's own answer has no body, Fastify's another
 * shape. Only between responses: one still being written is cut, as Node does.
 */
export function answerClientErrors(server: Server): void {
  server.removeAllListeners('clientError');
  server.on('clientError', (error: Error & { code?: string }, socket: Duplex) => {
    // A response still being written on this connection (Node's `_httpMessage`) cannot be
    // followed by another: then the connection is only closed.
    const answering = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || answering) {
      socket.destroy();
      return;
    }
    const { status, message } = clientErrorAnswer(error.code);
    const body = encodeErrorBody(message);
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

/**
 * Why Fastify's router would refuse `url` with its own answer, if it would: bad percent-encoding
 * on any path (Fastify decodes every path), a segment past `maxParamLength` only under
 * `paramRoots` (Fastify counts the length of route parameters only, so a long static segment of
 * the app's own routes is served, or 404).
 */
function urlProblem(
  url: string,
  maxParamLength: number,
  paramRoots: readonly string[],
): { status: number; message: string } | undefined {
  const path = url.split('?')[0] ?? '';
  try {
    decodeURIComponent(path);
  } catch {
    return { status: 400, message: 'The request path is not valid percent-encoded UTF-8' };
  }
  if (
    path.length > maxParamLength &&
    paramRoots.some((root) => path.toLowerCase().startsWith(root.toLowerCase())) &&
    path.split(/[/:]/).some((segment) => segment.length > maxParamLength)
  ) {
    return {
      status: 414,
      message: `A path segment is longer than ${maxParamLength} characters (Fastify's maxParamLength)`,
    };
  }
  return undefined;
}

/**
 * Answers the URLs Fastify's router refuses (bad percent-encoding, a segment past
 * `maxParamLength` under `paramRoots`, the library's parametric routes) in `{ "error": "…" }`
 * before Fastify answers them in its own shape (its `frameworkErrors` option is fixed when the
 * adapter is made).
 */
export function guardFastifyUrls(
  server: Server,
  maxParamLength: number,
  paramRoots: readonly string[],
): void {
  const listeners = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const problem = urlProblem(req.url ?? '/', maxParamLength, paramRoots);
    if (!problem) {
      for (const listener of listeners) listener.call(server, req, res);
      return;
    }
    const body = encodeErrorBody(problem.message);
    res.writeHead(problem.status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
      Connection: 'close',
    });
    res.end(body);
  });
}
