import { Inject, Injectable, Logger } from '@nestjs/common';
import { type ResolvedModelServingOptions } from '../config/resolve-options.js';
import { DeadlineExceededError } from '../errors/deadline-exceeded.error.js';
import { GrpcStatusCode } from '../errors/grpc-status-code.js';
import { ModelServingError } from '../errors/model-serving.error.js';
import { ShuttingDownError } from '../errors/shutting-down.error.js';
import { MODEL_SERVING_RESOLVED_OPTIONS } from '../module/model-serving.constants.js';
import {
  type ClassifyResult,
  type ExampleCall,
  type RegressResult,
  runClassify,
  runRegress,
} from './examples/example-inference.js';
import {
  firstInferenceTask,
  type InferenceTaskResult,
  type MultiInferenceCall,
  runMultiInference,
} from './examples/multi-inference.js';
import {
  type InferenceExchange,
  type InferenceMethod,
  type InferenceObserver,
  type InferenceProtocol,
  type InferenceRecord,
} from './inference-observer.js';
import { ModelRegistry } from './model.registry.js';
import { type RunOptions, type RunTrace } from './model.executor.js';
import { type PredictRequest, type PredictResult, runPredict } from './predict-util.js';
import { currentRequestId } from './request-context.js';
import { type HeldServable, type RunNote } from './servable.js';
import { type VersionSelector } from './served-model.js';
import { type SignatureMap } from './signature.js';

/** How a call may run, whatever its protocol: its deadline, cancellation, and origin. @publicApi */
export interface CallOptions {
  /** Absolute deadline (ms since the epoch); past it the call answers DEADLINE_EXCEEDED. */
  readonly deadline?: number;
  /** Aborted when the caller gave up. */
  readonly signal?: AbortSignal;
  /** Where the call came from, for observers. @defaultValue `in_process` */
  readonly protocol?: InferenceProtocol;
  /** The request id reported to observers. @defaultValue the current library route's */
  readonly requestId?: string;
}

/** One inference, in protocol-neutral terms. */
export interface PredictCall extends VersionSelector, PredictRequest, CallOptions {
  readonly model: string;
}

export type { PredictResult, ResolvedModelSpec } from './predict-util.js';

export interface ModelMetadata {
  readonly name: string;
  readonly version: number;
  readonly signatures: SignatureMap;
  /** The engine that runs the version (`onnxruntime`, or a TensorFlow.js backend). */
  readonly backend: string;
}

/**
 * The one run path every protocol takes (REST, gRPC, v2, `ModelHandle`, `@Predict`): one lease
 * per call on the selected version, the servable-level function (predict, classify, regress,
 * multi-inference) on it, the deadline checked before and after, and every finished call told
 * to the observers with its timings and outcome.
 */
@Injectable()
export class InferenceService {
  private readonly logger = new Logger('ModelServing');
  private readonly observers: InferenceObserver[];
  /** Answers every call still waiting for its model with an error (see `abandonInFlight`). */
  private readonly abandoners = new Set<(error: ModelServingError) => void>();

  constructor(
    private readonly registry: ModelRegistry,
    @Inject(MODEL_SERVING_RESOLVED_OPTIONS) options: Pick<ResolvedModelServingOptions, 'observers'>,
  ) {
    this.observers = [...options.observers];
  }

  /** Adds an observer of every finished call; returns a function that removes it. */
  addObserver(observer: InferenceObserver): () => void {
    this.observers.push(observer);
    return () => {
      const at = this.observers.indexOf(observer);
      if (at >= 0) this.observers.splice(at, 1);
    };
  }

  predict(call: PredictCall): Promise<PredictResult> {
    return this.serve(
      'predict',
      call.model,
      call,
      call,
      (servable, options, note) => runPredict(servable, call, options, note),
      (result, note) => ({
        method: 'predict',
        modelSpec: result.modelSpec,
        signature: result.signature,
        inputs: note.inputs ?? {},
        ...(call.outputs && { outputFilter: call.outputs }),
        outputs: result.outputs,
      }),
    );
  }

  classify(call: ExampleCall & CallOptions): Promise<ClassifyResult> {
    return this.serve(
      'classify',
      call.model,
      call,
      call,
      (servable, options, note) => runClassify(servable, call, options, note),
      (result) => ({
        method: 'classify',
        modelSpec: result.modelSpec,
        examples: call.examples,
        classes: result.results,
      }),
    );
  }

  regress(call: ExampleCall & CallOptions): Promise<RegressResult> {
    return this.serve(
      'regress',
      call.model,
      call,
      call,
      (servable, options, note) => runRegress(servable, call, options, note),
      (result) => ({
        method: 'regress',
        modelSpec: result.modelSpec,
        examples: call.examples,
        values: result.results,
      }),
    );
  }

  /** Every task on the one version the first task selects. */
  async multiInference(call: MultiInferenceCall & CallOptions): Promise<InferenceTaskResult[]> {
    const first = firstInferenceTask(call);
    return await this.serve(
      'multi_inference',
      first.model,
      first,
      call,
      (s, options, note) => runMultiInference(s, call, options, note),
      (results) => ({
        method: 'multi_inference',
        modelSpec: results[0]!.modelSpec,
        methods: call.tasks.map((task) => task.method),
        examples: call.examples,
        results,
      }),
    );
  }

  /**
   * Answers every call still running with UNAVAILABLE at once, without waiting for its model:
   * the shutdown's last step once `shutdownTimeoutMs` has passed, so that no call holds the
   * servers open. The engine work goes on, and each version is released when its work ends.
   * @returns how many calls were answered.
   */
  abandonInFlight(): number {
    const count = this.abandoners.size;
    const error = new ShuttingDownError(
      'The server shut down before the model answered (shutdownTimeoutMs passed)',
    );
    for (const abandon of [...this.abandoners]) abandon(error);
    return count;
  }

  metadata(model: string, selector: VersionSelector = {}): ModelMetadata {
    const lease = this.registry.acquire(model, selector);
    try {
      const { signatures, backend } = lease.executor;
      return { name: model, version: lease.version, signatures, backend };
    } finally {
      lease.release();
    }
  }

  private async serve<R>(
    method: InferenceMethod,
    model: string,
    selector: VersionSelector,
    call: CallOptions,
    work: (servable: HeldServable, options: RunOptions, note: RunNote) => Promise<R>,
    exchangeOf?: (result: R, note: RunNote) => InferenceExchange,
  ): Promise<R> {
    const started = performance.now();
    const trace: RunTrace = {};
    const note: RunNote = {};
    let version: number | undefined;
    let code = GrpcStatusCode.OK;
    let answered: { result: R } | undefined;
    try {
      expired(call.deadline, 'before');
      const lease = this.registry.acquire(model, selector);
      version = lease.version;
      const options = { deadline: call.deadline, signal: call.signal, trace };
      const running = work({ model, version, executor: lease.executor }, options, note);
      // The version is held until its work ends, even when the call was answered before.
      const release = () => lease.release();
      void running.then(release, release);
      let abandon: ((error: ModelServingError) => void) | undefined;
      const abandoned = new Promise<never>((_resolve, reject) => (abandon = reject));
      this.abandoners.add(abandon!);
      try {
        const result = await Promise.race([running, abandoned]);
        // A model that held the event loop lets the deadline pass unnoticed until here.
        expired(call.deadline, 'while');
        answered = { result };
        return result;
      } finally {
        this.abandoners.delete(abandon!);
      }
    } catch (error) {
      code = error instanceof ModelServingError ? error.code : GrpcStatusCode.INTERNAL;
      throw error;
    } finally {
      if (this.observers.length > 0) {
        const requestId = call.requestId ?? currentRequestId();
        this.notify({
          ...(requestId === undefined ? {} : { requestId }),
          model,
          version,
          signature: note.signature,
          method,
          protocol: call.protocol ?? 'in_process',
          code,
          totalMs: performance.now() - started,
          queueWaitMs: trace.queueWaitMs ?? 0,
          runMs: trace.runMs ?? 0,
          batchSize: trace.batchSize,
          ...(answered && exchangeOf && { exchange: exchangeOf(answered.result, note) }),
        });
      }
    }
  }

  private notify(record: InferenceRecord): void {
    for (const observer of this.observers) {
      try {
        observer.observe(record);
      } catch (error) {
        this.logger.error(`An inference observer failed: ${String(error)}`);
      }
    }
  }
}

/** @throws DeadlineExceededError once `deadline` has passed. */
function expired(deadline: number | undefined, stage: 'before' | 'while'): void {
  if (deadline !== undefined && Date.now() >= deadline) {
    throw new DeadlineExceededError(`Deadline exceeded ${stage} the model ran`);
  }
}
