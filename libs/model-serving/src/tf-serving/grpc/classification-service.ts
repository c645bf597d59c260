import {
  type FeatureValues,
  serializeExamples,
  type TfExample,
} from '../../models/examples/example-codec.js';
import { type ExampleCall } from '../../models/examples/example-inference.js';
import { type ExampleClass } from '../../models/examples/example-results.js';
import {
  type InferenceTaskCall,
  type InferenceTaskResult,
} from '../../models/examples/multi-inference.js';
import { type CallOptions, type InferenceService } from '../../models/inference.service.js';
import { readModelSpec, writeModelSpec, type ModelSpecMessage } from './model-spec.js';

/** `tensorflow.Feature` as @grpc/proto-loader hands it over (int64 as strings, bytes as Buffer). */
export interface FeatureMessage {
  bytes_list?: { value?: Uint8Array[] } | null;
  float_list?: { value?: number[] } | null;
  int64_list?: { value?: (string | number)[] } | null;
  kind?: string;
}

/** `tensorflow.Example` as @grpc/proto-loader hands it over. */
export interface ExampleMessage {
  features?: { feature?: Record<string, FeatureMessage> } | null;
}

/** `tensorflow.serving.Input`. */
export interface InputMessage {
  example_list?: { examples?: ExampleMessage[] } | null;
  example_list_with_context?: {
    examples?: ExampleMessage[];
    context?: ExampleMessage | null;
  } | null;
  kind?: string;
}

/** `ClassificationRequest` and `RegressionRequest`. */
export interface ExampleRequestMessage {
  model_spec?: ModelSpecMessage | null;
  input?: InputMessage | null;
}

/** `MultiInferenceRequest`. */
export interface MultiInferenceRequestMessage {
  tasks?: { model_spec?: ModelSpecMessage | null; method_name?: string }[];
  input?: InputMessage | null;
}

const decoder = new TextDecoder();

function featureValues(feature: FeatureMessage): FeatureValues {
  // proto-loader names the set member in `kind` (oneofs: true); without it, the one not null.
  const { bytes_list: bytes, float_list: floats, int64_list: ints } = feature;
  const kind =
    feature.kind ?? (bytes ? 'bytes_list' : floats ? 'float_list' : ints && 'int64_list');
  if (kind === 'bytes_list') return { kind: 'bytes', values: bytes?.value ?? [] };
  if (kind === 'float_list') return { kind: 'float', values: floats?.value ?? [] };
  if (kind === 'int64_list') {
    return { kind: 'int64', values: (ints?.value ?? []).map((v) => BigInt(v)) };
  }
  return { kind: 'none' };
}

function example(message: ExampleMessage | null | undefined): TfExample {
  const features = Object.entries(message?.features?.feature ?? {});
  return new Map(features.map(([name, feature]) => [name, featureValues(feature)]));
}

/**
 * The serialized examples of an `Input`, the context's features merged into each example as
 * TF Serving does. An Input with neither list set has no examples.
 */
export function readInput(input: InputMessage | null | undefined): Uint8Array[] {
  const withContext = input?.example_list_with_context;
  if (input?.kind === 'example_list_with_context' || (!input?.kind && withContext)) {
    const context = withContext?.context ? example(withContext.context) : undefined;
    return serializeExamples((withContext?.examples ?? []).map(example), context);
  }
  return serializeExamples((input?.example_list?.examples ?? []).map(example));
}

export function classificationResult(results: readonly (readonly ExampleClass[])[]) {
  return {
    classifications: results.map((classes) => ({
      classes: classes.map(({ label, score }) => ({ label: decoder.decode(label), score })),
    })),
  };
}

export function regressionResult(values: readonly number[]) {
  return { regressions: values.map((value) => ({ value })) };
}

/** A `MultiInferenceResponse`: each task's spec and result, in order. */
export function multiInferenceResponse(results: readonly InferenceTaskResult[]) {
  return {
    results: results.map((result) =>
      result.task === 'classify'
        ? {
            model_spec: writeModelSpec(result.modelSpec),
            classification_result: classificationResult(result.classes),
          }
        : {
            model_spec: writeModelSpec(result.modelSpec),
            regression_result: regressionResult(result.values),
          },
    ),
  };
}

function exampleCall(request: ExampleRequestMessage): ExampleCall {
  const spec = readModelSpec(request.model_spec);
  return {
    model: spec.name,
    version: spec.version,
    label: spec.label,
    signature: spec.signature,
    examples: readInput(request.input),
  };
}

/**
 * `PredictionService.Classify`, `Regress` and `MultiInference` on tf.Example inputs: the
 * messages read, the examples serialized (context merged), the model run through
 * `InferenceService` and the results and resolved `model_spec` written back.
 */
export class ClassificationService {
  constructor(private readonly inference: InferenceService) {}

  async classify(request: ExampleRequestMessage, options: CallOptions = {}) {
    const { modelSpec, results } = await this.inference.classify({
      ...exampleCall(request),
      ...options,
    });
    return { result: classificationResult(results), model_spec: writeModelSpec(modelSpec) };
  }

  async regress(request: ExampleRequestMessage, options: CallOptions = {}) {
    const { modelSpec, results } = await this.inference.regress({
      ...exampleCall(request),
      ...options,
    });
    return { result: regressionResult(results), model_spec: writeModelSpec(modelSpec) };
  }

  async multiInference(request: MultiInferenceRequestMessage, options: CallOptions = {}) {
    const tasks = (request.tasks ?? []).map((task): InferenceTaskCall => {
      // An empty name is MultiInference's own error, not readModelSpec's.
      const spec = task.model_spec?.name
        ? readModelSpec(task.model_spec)
        : { name: '', signature: task.model_spec?.signature_name ?? '' };
      return {
        model: spec.name,
        version: 'version' in spec ? spec.version : undefined,
        label: 'label' in spec ? spec.label : undefined,
        signature: spec.signature,
        method: task.method_name ?? '',
      };
    });
    const results = await this.inference.multiInference({
      tasks,
      examples: readInput(request.input),
      ...options,
    });
    return multiInferenceResponse(results);
  }
}
