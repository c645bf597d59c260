import { DiscoveryService } from '@nestjs/core';
import { type ModelConfig } from '../config/model-serving-options.interface.js';

/** Options of `@Servable`: a model entry, as in the `models` option. @publicApi */
export type ServableOptions = ModelConfig;

/**
 * Declares a model on a provider or controller, as an entry of the `models` option would.
 * `@Predict` routes of the class default to this model.
 * @publicApi
 */
export const Servable = DiscoveryService.createDecorator<ServableOptions>();
