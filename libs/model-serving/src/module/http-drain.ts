import { type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * Drains a Node HTTP server (Express's or Fastify's) without dropping a request it has received:
 * the listener closes (new connections are refused), idle keep-alive connections are closed, and
 * every request already received on an open connection, or arriving on one before it closes, is
 * answered with `Connection: close` so that its client reconnects elsewhere.
 *
 * Nest's own close comes too late and too hard for this: Fastify answers 503 to every request
 * that reaches a closing server (`return503OnClosing`), and both adapters close only once the
 * shutdown hooks ran. Once this drain has ended, the adapters' close finds nothing left to cut.
 */
export class HttpDrain {
  /** Responses not finished yet; their `Connection` header is turned to `close` at the drain. */
  private readonly open = new Set<ServerResponse>();
  private closing = false;
  private ended?: Promise<void>;

  constructor(private readonly server: Server) {
    // Prepended, so the header is set before the framework's handler can write its answer.
    server.prependListener('request', this.track);
  }

  /** Stops accepting connections; resolves once every connection has ended. Idempotent. */
  close(): Promise<void> {
    if (this.ended) return this.ended;
    this.closing = true;
    for (const res of this.open) this.markLast(res);
    this.ended = new Promise<void>((resolve) => {
      if (!this.server.listening) return resolve();
      // Node's close() also closes the idle keep-alive connections (Node ≥ 19).
      this.server.close(() => resolve());
    });
    return this.ended;
  }

  /** Cuts every connection still open (past the shutdown deadline). */
  cutAll(): void {
    this.server.closeAllConnections();
  }

  /** Stops tracking (the server is closed). */
  detach(): void {
    this.server.removeListener('request', this.track);
    this.open.clear();
  }

  private readonly track = (_req: IncomingMessage, res: ServerResponse): void => {
    if (this.closing) {
      this.markLast(res);
      return;
    }
    this.open.add(res);
    const forget = () => this.open.delete(res);
    res.once('finish', forget);
    res.once('close', forget);
  };

  private markLast(res: ServerResponse): void {
    if (!res.headersSent) {
      res.setHeader('Connection', 'close');
      return;
    }
    // Already answering with keep-alive: close the connection once it is idle again.
    res.once('finish', () => setImmediate(() => this.server.closeIdleConnections()));
  }
}
