import { ConfigurableModuleBuilder, type DynamicModule, type Provider } from '@nestjs/common';
import { createModelHandleProviders } from '../decorators/inject-model.decorator.js';
import {
  type ModelServingModuleExtras,
  type ModelServingModuleOptions,
} from '../config/model-serving-options.interface.js';
import { normalizePrefix } from '../http/tf-serving/tf-serving-path.js';
import { createTfServingController } from '../http/tf-serving/tf-serving.controller.js';
import { MODEL_SERVING_REST_PREFIX } from './model-serving.constants.js';

const DEFAULT_EXTRAS: ModelServingModuleExtras = {
  isGlobal: true,
  rest: { enabled: true, prefix: '' },
  grpc: { enabled: false },
};

/** What the extras change: global-ness and which protocol controllers mount. */
function applyModuleShape(
  definition: DynamicModule,
  extras: Partial<ModelServingModuleExtras>,
): DynamicModule {
  const rest = { ...DEFAULT_EXTRAS.rest, ...extras.rest };
  const controllers = rest.enabled ? [createTfServingController(normalizePrefix(rest.prefix))] : [];
  const handles = createModelHandleProviders() as (Provider & { provide: string })[];
  const prefixProvider = {
    provide: MODEL_SERVING_REST_PREFIX,
    useValue: normalizePrefix(rest.prefix),
  };
  return {
    ...definition,
    global: extras.isGlobal ?? DEFAULT_EXTRAS.isGlobal,
    controllers: [...(definition.controllers ?? []), ...controllers],
    providers: [...(definition.providers ?? []), prefixProvider, ...handles],
    exports: [
      ...(definition.exports ?? []),
      MODEL_SERVING_REST_PREFIX,
      ...handles.map((h) => h.provide),
    ],
  };
}

export const {
  ConfigurableModuleClass: ModelServingConfigurableModule,
  MODULE_OPTIONS_TOKEN: MODEL_SERVING_MODULE_OPTIONS,
  OPTIONS_TYPE: MODEL_SERVING_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: MODEL_SERVING_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ModelServingModuleOptions>({ moduleName: 'ModelServing' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createModelServingOptions')
  .setExtras<Partial<ModelServingModuleExtras>>(DEFAULT_EXTRAS, applyModuleShape)
  .build();
