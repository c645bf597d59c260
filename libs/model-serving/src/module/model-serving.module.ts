import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ApiKeyStrategy } from '../auth/api-key.strategy.js';
import { CredentialRateLimiter } from '../auth/credential-rate-limiter.js';
import { JwtStrategy } from '../auth/jwt.strategy.js';
import { resolveOptions } from '../config/resolve-options.js';
import { type ModelServingModuleOptions } from '../config/model-serving-options.interface.js';
import { InferenceService } from '../models/inference.service.js';
import { ModelRegistry } from '../models/model.registry.js';
import { RequestLogSubscriber } from '../logging/request-log.subscriber.js';
import { PredictionLogSubscriber } from '../tf-serving/prediction-log/prediction-log.subscriber.js';
import { ServableExplorer } from './servable.explorer.js';
import {
  MODEL_SERVING_RATE_LIMITER,
  MODEL_SERVING_RESOLVED_OPTIONS,
} from './model-serving.constants.js';
import {
  MODEL_SERVING_MODULE_OPTIONS,
  ModelServingConfigurableModule,
} from './model-serving.module-definition.js';
import { ServingLifecycleService } from './serving-lifecycle.service.js';
import { servingPipelineProvider } from './serving-pipeline.provider.js';

/**
 * TF Serving for Nest: `ModelServingModule.forRoot({ models: [...] })` serves versioned models
 * over TF Serving's REST API and to `@InjectModel` handles and `@Predict` routes.
 * @publicApi
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: MODEL_SERVING_RESOLVED_OPTIONS,
      useFactory: (options: ModelServingModuleOptions) => resolveOptions(options),
      inject: [MODEL_SERVING_MODULE_OPTIONS],
    },
    servingPipelineProvider,
    ModelRegistry,
    InferenceService,
    ServableExplorer,
    ServingLifecycleService,
    RequestLogSubscriber,
    PredictionLogSubscriber,
    // Auth: stateless passport strategies and the per-credential request counter.
    ApiKeyStrategy,
    JwtStrategy,
    { provide: MODEL_SERVING_RATE_LIMITER, useClass: CredentialRateLimiter },
  ],
  exports: [
    MODEL_SERVING_RESOLVED_OPTIONS,
    ModelRegistry,
    InferenceService,
    MODEL_SERVING_RATE_LIMITER,
  ],
})
export class ModelServingModule extends ModelServingConfigurableModule {}
