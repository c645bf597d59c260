import { type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type ModelServingVerb } from '../config/auth-options.interface.js';

/** One thing a request does: a verb on a model; no model means "authenticated" is enough. */
export interface AccessTarget {
  readonly verb: ModelServingVerb;
  readonly model?: string;
}

/** Reads the targets of a request (the library's routes read them from path or message). */
export type AccessTargets = (context: ExecutionContext) => readonly AccessTarget[];

/** What `@ModelServingApi` records on a handler or class. */
export interface ModelServingApiMetadata {
  readonly verb?: ModelServingVerb;
  readonly model?: string;
  /** A health or server-metadata route: public while `auth.publicHealth` is on. */
  readonly health?: boolean;
  /** The metrics scrape: public while `auth.publicMetrics` is on. */
  readonly metrics?: boolean;
  readonly targets?: AccessTargets;
}

/** Records and reads `@ModelServingApi` metadata (read handler first, then class). */
export const MODEL_SERVING_API = Reflector.createDecorator<ModelServingApiMetadata>();
