// The public API of nest-model-serving. Everything else is internal.

// Module
export { ModelServingModule } from './module/model-serving.module.js';
export {
  configureModelServingApp,
  type ConfigureModelServingAppOptions,
} from './module/configure-app.js';
export type {
  BackendName,
  BatchingOptions,
  ModelConfig,
  ModelPlatform,
  ModelServingModuleAsyncOptions,
  ModelServingModuleExtras,
  ModelServingModuleOptions,
  ModelServingOptionsFactory,
  PredictionLogOptions,
  SavedModelEngine,
  VersionPolicy,
} from './config/model-serving-options.interface.js';
export type {
  ApiKeyConfig,
  AuthOptions,
  JwtAuthOptions,
  ModelServingVerb,
  RateLimitOptions,
} from './config/auth-options.interface.js';
export { parseModelConfigText, readModelConfigFile } from './config/model-config-file.js';
export { createV2Controller } from './open-inference/rest/v2.controller.js';
export { GrpcInferenceServiceController } from './open-inference/grpc/grpc-inference-service.controller.js';
export {
  connectModelServingGrpc,
  modelServingGrpcOptions,
  type ModelServingGrpcOptions,
} from './grpc/grpc-server.options.js';

// Metrics
export {
  ModelServingMetricsObserver,
  type MetricsObserverOptions,
  type VersionStateSample,
} from './metrics/metrics.observer.js';
export { MODEL_SERVING_METRICS, TF_SERVING_METRICS } from './metrics/metric-names.js';
export {
  createMetricsProviders,
  MODEL_SERVING_METRICS_REGISTRY,
  type MetricsProvidersOptions,
} from './metrics/metrics.providers.js';
export { createMetricsController } from './metrics/metrics.controller.js';
export {
  DEFAULT_PROMETHEUS_PATH,
  parseMonitoringConfigText,
  readMonitoringConfigFile,
  type MonitoringConfig,
} from './metrics/monitoring-config.js';

// Request ids and logs
export { RequestIdInterceptor, REQUEST_ID_HEADER } from './logging/request-id.interceptor.js';
export { RequestLogObserver, type RequestLogOptions } from './logging/request-log.observer.js';
export { PredictionLogObserver } from './tf-serving/prediction-log/prediction-log.observer.js';

// Health probes
export {
  createHealthController,
  type HealthControllerOptions,
} from './health/health.controller.js';
export { ModelHealthIndicator } from './health/model-health.indicator.js';
export { EventLoopHealthIndicator } from './health/event-loop.indicator.js';
export { HealthPortServer, type HealthPortOptions } from './health/health-port.server.js';

// Authentication
export {
  ModelServingApi,
  type ModelServingApiOptions,
} from './decorators/model-serving-api.decorator.js';
export { Public } from './auth/public.decorator.js';
export { ModelServingAuthGuard } from './auth/model-access.guard.js';
export type { ModelServingPrincipal } from './auth/principal.js';
export type { ResolvedGrant as ModelServingGrant } from './config/resolve-auth-options.js';

// Decorators and handles
export { Servable, type ServableOptions } from './decorators/servable.decorator.js';
export { Predict, type PredictOptions } from './decorators/predict.decorator.js';
export { type PredictHandlerResult } from './decorators/predict.interceptor.js';
export { InjectModel, getModelToken } from './decorators/inject-model.decorator.js';
export { ModelHandle, type ModelInputs, type ModelPredictOptions } from './models/model.handle.js';
export { ModelRegistry } from './models/model.registry.js';
export {
  InferenceService,
  type CallOptions,
  type ModelMetadata,
  type ResolvedModelSpec,
} from './models/inference.service.js';
export {
  InferenceObserver,
  type InferenceExchange,
  type InferenceMethod,
  type InferenceProtocol,
  type InferenceRecord,
  type VersionRecord,
} from './models/inference-observer.js';
export type { VersionSelector, VersionState, VersionStatus } from './models/served-model.js';

// Tensors, signatures, extension points
export type {
  NestedValues,
  NumericDType,
  TensorData,
  TensorDType,
  TypedArrayOf,
} from './tensor/tensor-data.js';
export { tensorToNested } from './tensor/nested-values.js';
export {
  DEFAULT_SIGNATURE,
  PREDICT_METHOD,
  type SignatureDef,
  type SignatureMap,
  type TensorSpec,
} from './models/signature.js';
export { ModelLoader, type LoadContext, type WorkerModuleSpec } from './models/model.loader.js';
export {
  parseBatchingParametersText,
  readBatchingParametersFile,
  type BatchingParameters,
} from './batching/batching-parameters.js';
export { ModelExecutor, type RunOptions, type RunTrace } from './models/model.executor.js';
export {
  SavedModelLoader,
  type SavedModelLoaderOptions,
} from './engines/saved-model/saved-model.loader.js';
export { MODEL_ONNX, OnnxModelLoader, type OnnxLoaderOptions } from './engines/onnx/onnx.loader.js';
export {
  type ExampleParser,
  SavedModelExecutor,
} from './engines/saved-model/saved-model.executor.js';
export { type ExampleParsingSpec } from './engines/saved-model/example-parsing.js';

// Errors
export { ModelServingError } from './errors/model-serving.error.js';
export { GrpcStatusCode } from './errors/grpc-status-code.js';
export { httpStatusFor } from './errors/status-map.js';
export { ModelServingHttpExceptionFilter } from './http/http-exception.filter.js';
export { ModelServingGrpcExceptionFilter } from './grpc/grpc-exception.filter.js';
export { DeadlineExceededError } from './errors/deadline-exceeded.error.js';
export { QueueFullError } from './errors/queue-full.error.js';
export { BatchCancelledError } from './errors/batch-cancelled.error.js';
export { WorkerFailedError } from './errors/worker-failed.error.js';
export { ModelNotFoundError } from './errors/model-not-found.error.js';
export { VersionNotFoundError } from './errors/version-not-found.error.js';
export { InvalidInputError } from './errors/invalid-input.error.js';
export { UnimplementedError } from './errors/unimplemented.error.js';
export { ShuttingDownError } from './errors/shutting-down.error.js';
export { ModelLoadError } from './errors/model-load.error.js';
export { IncompleteVersionError } from './errors/incomplete-version.error.js';
export { ModelServingConfigError } from './errors/model-serving-config.error.js';
export { UnauthenticatedError } from './errors/unauthenticated.error.js';
export { PermissionDeniedError } from './errors/permission-denied.error.js';
export { RateLimitExceededError } from './errors/rate-limit-exceeded.error.js';
