import { randomUUID } from 'node:crypto';
import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { Observable } from 'rxjs';
import { runInRequestContext } from '../models/request-context.js';

/** The header (and gRPC metadata key) that carries a request id, as most proxies name it. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** An id a client may choose: short, printable, safe to log and to echo. */
const ACCEPTED_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The client's id when it is acceptable, else a new one. */
export function requestIdFrom(value: unknown): string {
  const given = Array.isArray(value) ? (value[0] as unknown) : value;
  return typeof given === 'string' && ACCEPTED_ID.test(given) ? given : randomUUID();
}

interface HeaderReply {
  header?(name: string, value: string): unknown;
  setHeader?(name: string, value: string): unknown;
}

interface GrpcMetadataLike {
  get(key: string): unknown[];
}

interface GrpcCallLike {
  sendMetadata?(metadata: unknown): void;
}

/**
 * Gives every library call a request id: the client's `x-request-id` (header, or gRPC metadata)
 * when it is a short printable token, else a new UUID. The id is echoed back (response header;
 * gRPC response metadata) and is the current request's for the run path, which reports it to
 * observers (request logs, metrics exemplars).
 */
@Injectable()
export class RequestIdInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const requestId = context.getType() === 'rpc' ? this.fromGrpc(context) : this.fromHttp(context);
    return new Observable((subscriber) =>
      runInRequestContext({ requestId }, () => next.handle().subscribe(subscriber)),
    );
  }

  private fromHttp(context: ExecutionContext): string {
    const http = context.switchToHttp();
    const request = http.getRequest<{ headers?: Record<string, unknown> }>();
    const id = requestIdFrom(request.headers?.[REQUEST_ID_HEADER]);
    const reply = http.getResponse<HeaderReply>();
    if (reply.header) reply.header(REQUEST_ID_HEADER, id);
    else reply.setHeader?.(REQUEST_ID_HEADER, id);
    return id;
  }

  private fromGrpc(context: ExecutionContext): string {
    const metadata = context.switchToRpc().getContext<GrpcMetadataLike | undefined>();
    const id = requestIdFrom(metadata?.get?.(REQUEST_ID_HEADER));
    const call = context.getArgByIndex<GrpcCallLike | undefined>(2);
    if (call?.sendMetadata && metadata) {
      // The response metadata echoes the id, as the REST header does.
      const Metadata = (metadata as object).constructor as new () => {
        set(key: string, value: string): void;
      };
      const reply = new Metadata();
      reply.set(REQUEST_ID_HEADER, id);
      call.sendMetadata(reply);
    }
    return id;
  }
}
