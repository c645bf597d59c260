import { AsyncLocalStorage } from 'node:async_hooks';

/** What the run path knows of the request it serves, beyond its arguments. */
export interface RequestContext {
  /** The request id: the client's `x-request-id`, or one made for it. */
  readonly requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `work` with `context` as the current request's. */
export function runInRequestContext<T>(context: RequestContext, work: () => T): T {
  return storage.run(context, work);
}

/** The current request's id, if a library route set one. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}
