import { type GrpcStatusCode } from '../errors/grpc-status-code.js';
import { type TensorData } from '../tensor/tensor-data.js';
import { type ExampleClass } from './examples/example-results.js';
import { type InferenceTaskResult } from './examples/multi-inference.js';
import { type ResolvedModelSpec } from './predict-util.js';
import { type SignatureDef } from './signature.js';

/** The servable-level operation a call ran. @publicApi */
export type InferenceMethod = 'predict' | 'classify' | 'regress' | 'multi_inference';

/**
 * Where a call came from: TF Serving's REST or gRPC API, the Open Inference Protocol over REST or
 * gRPC, the in-process handle (`@InjectModel`, `@Predict`), or a version's warm-up.
 * @publicApi
 */
export type InferenceProtocol = 'rest' | 'grpc' | 'v2_rest' | 'v2_grpc' | 'in_process' | 'warmup';

/** One finished call, as the run path reports it. @publicApi */
export interface InferenceRecord {
  /** The request id (`x-request-id`, given or made) of a call that came over a library route. */
  readonly requestId?: string;
  readonly model: string;
  /** The version that ran it; absent when none could be resolved. */
  readonly version?: number;
  /** The signature key; absent when the call failed before one was known. */
  readonly signature?: string;
  readonly method: InferenceMethod;
  readonly protocol: InferenceProtocol;
  /** The canonical status the call ended with (`OK` = 0). */
  readonly code: GrpcStatusCode;
  /** Milliseconds from entering the run path to the answer. */
  readonly totalMs: number;
  /** Milliseconds waited in a batching queue (0 unbatched). */
  readonly queueWaitMs: number;
  /** Milliseconds the engine computed the batch or call (0 when it never ran). */
  readonly runMs: number;
  /** Examples in the batch that ran it (the request's own count when unbatched). */
  readonly batchSize?: number;
  /**
   * What a successful call was asked and answered, before any protocol encoded it (absent for
   * failures). The tensors are the call's own: an observer that keeps them must not change
   * them.
   */
  readonly exchange?: InferenceExchange;
}

/**
 * A successful call's request and answer in protocol-neutral terms: the model spec that ran,
 * and the decoded inputs and outputs (predict) or serialized tf.Examples and results.
 * @publicApi
 */
export type InferenceExchange =
  | {
      readonly method: 'predict';
      readonly modelSpec: ResolvedModelSpec;
      /** The signature that ran (its specs carry the declared dtypes). */
      readonly signature: SignatureDef;
      readonly inputs: Readonly<Record<string, TensorData>>;
      /** The output filter the call gave, if any. */
      readonly outputFilter?: readonly string[];
      readonly outputs: Readonly<Record<string, TensorData>>;
    }
  | {
      readonly method: 'classify';
      readonly modelSpec: ResolvedModelSpec;
      readonly examples: readonly Uint8Array[];
      readonly classes: readonly (readonly ExampleClass[])[];
    }
  | {
      readonly method: 'regress';
      readonly modelSpec: ResolvedModelSpec;
      readonly examples: readonly Uint8Array[];
      readonly values: readonly number[];
    }
  | {
      readonly method: 'multi_inference';
      /** The first task's spec: the version every task ran on. */
      readonly modelSpec: ResolvedModelSpec;
      /** Each task's `method_name`, in order. */
      readonly methods: readonly string[];
      readonly examples: readonly Uint8Array[];
      /** Each task's result, in order. */
      readonly results: readonly InferenceTaskResult[];
    };

/** A version's load attempt, or its unload, as the registry reports it. @publicApi */
export interface VersionRecord {
  readonly model: string;
  readonly version: number;
  /** `loaded` (now AVAILABLE), `failed` (this attempt; `final` says whether it ends it) or `unloaded`. */
  readonly event: 'loaded' | 'failed' | 'unloaded';
  /** Milliseconds the load attempt (or the unload, after its last request) took. */
  readonly durationMs: number;
  /** The status code a failed attempt ended with. */
  readonly code?: GrpcStatusCode;
  /** For `failed`: no retry follows. */
  readonly final?: boolean;
}

/**
 * Told about every inference the run path finishes, whatever protocol asked: the one place
 * metrics and request logs attach. `observe` must not throw and must return quickly.
 * @publicApi
 */
export abstract class InferenceObserver {
  abstract observe(record: InferenceRecord): void;

  /** Optional: told about every version load attempt and unload (metrics of load latency). */
  observeVersion?(record: VersionRecord): void;
}
