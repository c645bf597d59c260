import { Reflector } from '@nestjs/core';

/** Options of `@Predict`. @publicApi */
export interface PredictOptions {
  /** The model; defaults to the class's `@Servable` name. */
  readonly model?: string;
  /** @defaultValue `serving_default` */
  readonly signature?: string;
  readonly version?: number;
  readonly label?: string;
}

/** Reads `@Predict` options of a handler. */
export const PREDICT_OPTIONS = Reflector.createDecorator<PredictOptions>();
