import { Inject, type Provider } from '@nestjs/common';
import { InferenceService } from '../models/inference.service.js';
import { ModelHandle } from '../models/model.handle.js';
import { ModelRegistry } from '../models/model.registry.js';
import { MODEL_SERVING_MODEL_TOKEN_PREFIX } from '../module/model-serving.constants.js';

/** The injection token of a model's handle. @publicApi */
export function getModelToken(name: string): string {
  return `${MODEL_SERVING_MODEL_TOKEN_PREFIX}${name}`;
}

/**
 * Names asked for by `@InjectModel` so far. Classes are decorated when their files load, which
 * is before `ModelServingModule.forRoot()` runs in the module that imports them, so `forRoot`
 * can provide a handle for each name.
 */
const requestedNames = new Set<string>();

/** Providers of a `ModelHandle` for every name `@InjectModel` has seen, plus `extra`. */
export function createModelHandleProviders(extra: readonly string[] = []): Provider[] {
  return [...new Set([...requestedNames, ...extra])].map((name) => ({
    provide: getModelToken(name),
    useFactory: (registry: ModelRegistry, inference: InferenceService) =>
      new ModelHandle(name, registry, inference),
    inject: [ModelRegistry, InferenceService],
  }));
}

/**
 * Injects a `ModelHandle` for the model `name`. The handle looks the name up on every call, so
 * the model may appear after boot; an unknown name fails at call time with a not-found error.
 * @publicApi
 */
export function InjectModel(name: string): PropertyDecorator & ParameterDecorator {
  if (typeof name !== 'string' || name === '')
    throw new TypeError('@InjectModel() needs a model name');
  requestedNames.add(name);
  return Inject(getModelToken(name));
}
