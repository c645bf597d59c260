import {
  Metadata,
  ServerInterceptingCall,
  type ServerInterceptor,
  ServerListenerBuilder,
  status,
} from '@grpc/grpc-js';

/** What a request decodes to when its bytes are not its method's protobuf message. */
const MALFORMED = Symbol('malformed request');

interface MethodDefinition {
  requestDeserialize?: (bytes: Buffer) => unknown;
}

function isMalformed(message: unknown): boolean {
  return typeof message === 'object' && message !== null && MALFORMED in message;
}

/**
 * Makes every method of a loaded package definition decode malformed bytes to a marker instead
 * of throwing: grpc-js answers a throwing decoder with INTERNAL before any handler or
 * interceptor runs, which says the server failed where the client did.
 * {@link malformedRequestInterceptor} answers the marker with INVALID_ARGUMENT.
 */
export function tolerateMalformedRequests(definition: Record<string, unknown>): void {
  for (const service of Object.values(definition)) {
    // Message and enum types carry a `format`; services are maps of method definitions.
    if (typeof service !== 'object' || service === null || 'format' in service) continue;
    for (const method of Object.values(service as Record<string, MethodDefinition>)) {
      const decode = method?.requestDeserialize;
      if (typeof decode !== 'function') continue;
      method.requestDeserialize = (bytes: Buffer) => {
        try {
          return decode(bytes);
        } catch {
          return { [MALFORMED]: true };
        }
      };
    }
  }
}

/**
 * Answers a request that {@link tolerateMalformedRequests} marked as malformed with
 * INVALID_ARGUMENT (as TF Serving does), before it reaches a handler.
 */
export const malformedRequestInterceptor: ServerInterceptor = (method, call) => {
  let malformed = false;
  const intercepted: ServerInterceptingCall = new ServerInterceptingCall(call, {
    start: (next) =>
      next(
        new ServerListenerBuilder()
          .withOnReceiveMessage((message, pass) => {
            if (!isMalformed(message)) return pass(message);
            malformed = true;
            intercepted.sendStatus({
              code: status.INVALID_ARGUMENT,
              details: `The request is not a valid message of ${method.path}`,
              metadata: new Metadata(),
            });
          })
          .withOnReceiveHalfClose((pass) => {
            if (!malformed) pass();
          })
          .build(),
      ),
  });
  return intercepted;
};
