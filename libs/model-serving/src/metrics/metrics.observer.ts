import { join } from 'node:path';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { GrpcStatusCode } from '../errors/grpc-status-code.js';
import {
  InferenceObserver,
  type InferenceMethod,
  type InferenceRecord,
  type VersionRecord,
} from '../models/inference-observer.js';
import { type VersionState } from '../models/version-status.js';
import { MODEL_SERVING_METRICS, TF_SERVING_METRICS } from './metric-names.js';

/** One version's state, as the gauge reads it at scrape time. */
export interface VersionStateSample {
  readonly model: string;
  readonly version: number;
  readonly state: VersionState;
}

/** Where the observer reads what records do not carry. @publicApi */
export interface MetricsObserverOptions {
  /**
   * A version's directory, TF Serving's `model_path` label of the SavedModel load metrics.
   * @defaultValue `<model>/<version>` (the model name stands for its base path)
   */
  readonly modelPath?: (model: string, version: number) => string;
  /** Every version's state, read at each scrape; without it the state gauge stays empty. */
  readonly versionStates?: () => Iterable<VersionStateSample>;
  /**
   * TF Serving's `runtime` label of `:tensorflow:serving:runtime_latency`.
   * @defaultValue `TF1`, what TF Serving writes for its classic session runtime, so dashboards
   * written for it keep matching
   */
  readonly runtime?: string;
  /**
   * TF Serving's `thread_pool_name` label of the batching queuing latency.
   * @defaultValue `''`, what the model server writes (its batching sessions are made without one)
   */
  readonly threadPoolName?: string;
}

const STATES: readonly VersionState[] = ['START', 'LOADING', 'AVAILABLE', 'UNLOADING', 'END'];
/** TF Serving's gRPC API names (`prediction_service_impl.cc`); MultiInference records none. */
const GRPC_API: Partial<Record<InferenceMethod, string>> = {
  predict: 'Predict',
  classify: 'Classify',
  regress: 'Regress',
};
const codeName = (code: GrpcStatusCode | undefined): string =>
  GrpcStatusCode[code ?? GrpcStatusCode.UNKNOWN] ?? String(code);

/**
 * Turns the run path's records into Prometheus metrics on the `registry` it is given (one per
 * app, never prom-client's global one): TF Serving's names ({@link TF_SERVING_METRICS}) for
 * TF Serving's own APIs, and the `model_serving_` set ({@link MODEL_SERVING_METRICS}) for every
 * protocol. Every metric is created in the constructor, so a registry holds one observer.
 * @publicApi
 */
export class ModelServingMetricsObserver extends InferenceObserver {
  private readonly tf;
  private readonly own;
  private readonly modelPath: (model: string, version: number) => string;
  private readonly runtime: string;
  private readonly threadPoolName: string;

  constructor(
    readonly registry: Registry,
    options: MetricsObserverOptions = {},
  ) {
    super();
    const registers = [registry];
    this.modelPath = options.modelPath ?? ((model, version) => join(model, String(version)));
    this.runtime = options.runtime ?? 'TF1';
    this.threadPoolName = options.threadPoolName ?? '';
    const T = TF_SERVING_METRICS;
    const M = MODEL_SERVING_METRICS;
    this.tf = {
      requestCount: new Counter({ ...T.requestCount, registers }),
      requestLatency: histogram(T.requestLatency, registers),
      runtimeLatency: histogram(T.runtimeLatency, registers),
      queuingLatency: histogram(T.queuingLatency, registers),
      loadAttemptCount: new Counter({ ...T.loadAttemptCount, registers }),
      loadLatency: new Counter({ ...T.loadLatency, registers }),
    };
    const states = options.versionStates;
    this.own = {
      requests: new Counter({ ...M.requests, registers }),
      requestDuration: histogram(M.requestDuration, registers),
      queueWait: histogram(M.queueWait, registers),
      runDuration: histogram(M.runDuration, registers),
      batchSize: histogram(M.batchSize, registers),
      modelLoad: histogram(M.modelLoad, registers),
      modelLoads: new Counter({ ...M.modelLoads, registers }),
      versionState: new Gauge({
        ...M.versionState,
        registers,
        collect() {
          // Rebuilt at each scrape, so versions that are gone leave no stale series.
          this.reset();
          for (const { model, version, state: current } of states?.() ?? []) {
            for (const state of STATES) {
              this.set({ model, version: String(version), state }, state === current ? 1 : 0);
            }
          }
        },
      }),
    };
  }

  /** Counts one finished call. */
  observe(record: InferenceRecord): void {
    const code = codeName(record.code);
    const run = {
      model: record.model,
      version: record.version === undefined ? '' : String(record.version),
      signature: record.signature ?? '',
    };
    const labels = { ...run, protocol: record.protocol, code };
    this.own.requests.inc(labels);
    this.own.requestDuration.observe(labels, record.totalMs / 1000);
    if (record.runMs > 0) this.own.runDuration.observe(run, record.runMs / 1000);
    // Only batched calls carry a batch size (batching/batch.runner.ts).
    if (record.batchSize !== undefined) {
      this.own.queueWait.observe(run, record.queueWaitMs / 1000);
      this.own.batchSize.observe(run, record.batchSize);
      this.tf.queuingLatency.observe(
        { thread_pool_name: this.threadPoolName },
        micros(record.queueWaitMs),
      );
    }
    this.observeTfServing(record, code);
  }

  /** Counts one version load attempt; unloads change only the state gauge. */
  override observeVersion(record: VersionRecord): void {
    if (record.event === 'unloaded') return;
    const ok = record.event === 'loaded';
    const code = ok ? 'OK' : codeName(record.code);
    this.own.modelLoads.inc({ model: record.model, code });
    this.own.modelLoad.observe({ model: record.model, code }, record.durationMs / 1000);
    const model_path = this.modelPath(record.model, record.version);
    this.tf.loadAttemptCount.inc({ model_path, status: ok ? 'success' : 'fail' });
    if (ok) this.tf.loadLatency.inc({ model_path }, micros(record.durationMs));
  }

  /**
   * TF Serving counts its REST API and gRPC Predict/Classify/Regress (`http_server.cc`,
   * `prediction_service_impl.cc`); latency only on success; the REST API label is the URL's verb
   * (`predict`), the gRPC one the method (`Predict`). The runtime latency is recorded below every
   * entry point (warm-up included) once the session ran (`predict_util.cc`, `classifier.cc`).
   */
  private observeTfServing(record: InferenceRecord, code: string): void {
    const ok = record.code === GrpcStatusCode.OK;
    const api = GRPC_API[record.method];
    if (api !== undefined && ok && record.runMs > 0) {
      this.tf.runtimeLatency.observe(
        { model_name: record.model, API: api, runtime: this.runtime },
        micros(record.runMs),
      );
    }
    const entrypoint =
      record.protocol === 'rest' ? 'REST' : record.protocol === 'grpc' && api ? 'GRPC' : undefined;
    if (entrypoint === undefined) return;
    this.tf.requestCount.inc({ model_name: record.model, status: code });
    if (ok) {
      this.tf.requestLatency.observe(
        {
          model_name: record.model,
          API: entrypoint === 'REST' ? record.method : api!,
          entrypoint,
        },
        micros(record.totalMs),
      );
    }
  }
}

/** A histogram of `spec` (its buckets copied: prom-client sorts them in place). */
function histogram<L extends string>(
  spec: {
    readonly name: string;
    readonly help: string;
    readonly labelNames: readonly L[];
    readonly buckets: readonly number[];
  },
  registers: Registry[],
): Histogram<L> {
  return new Histogram({ ...spec, buckets: [...spec.buckets], registers });
}

/** TensorFlow's metrics hold whole microseconds. */
const micros = (ms: number): number => Math.round(ms * 1000);
