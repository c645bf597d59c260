/**
 * Metric names, help texts, labels and buckets: TF Serving's, as its Prometheus exporter writes
 * them, and this project's own `model_serving_` set.
 *
 * TF Serving names metrics like paths (`/tensorflow/serving/request_count`); its exporter
 * (`tensorflow_serving/util/prometheus_exporter.cc`, `GetPrometheusMetricName`) replaces every
 * character outside `[a-zA-Z0-9_]` with `:`, so the leading `/` becomes a leading `:`. Label names
 * are kept (`API` stays upper case). Latencies are integer microseconds, in TensorFlow's
 * exponential buckets (`monitoring::Buckets::Exponential(scale, growth, count)`: `scale * growth^i`
 * for `i < count`, then `+Inf`).
 */

/** `Buckets::Exponential(scale, growth, count)`, each bound rounded to the six digits TF prints. */
export function exponentialBuckets(scale: number, growth: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => Number((scale * growth ** i).toPrecision(6)));
}

/** TF Serving's request and runtime latency buckets: µs, scale 10, power 1.8, 33 (~20 minutes). */
const LATENCY_MICROS = exponentialBuckets(10, 1.8, 33);

/**
 * TF Serving's metrics that the run path's records can feed, as its exporter names them.
 * Sources: `servables/tensorflow/util.cc` (request count and latencies),
 * `batching/batching_session.cc` (queuing latency), TensorFlow's `cc/saved_model/loader.cc`
 * (SavedModel load count and latency).
 * @publicApi
 */
export const TF_SERVING_METRICS = {
  /** Counter: every request of TF Serving's REST API and gRPC Predict/Classify/Regress, by outcome. */
  requestCount: {
    name: ':tensorflow:serving:request_count',
    help: 'The total number of requests.',
    labelNames: ['model_name', 'status'],
  },
  /** Histogram (µs): successful requests only, from arrival to answer. */
  requestLatency: {
    name: ':tensorflow:serving:request_latency',
    help: 'Distribution of wall time (in microseconds) for Tensorflow Serving request.',
    labelNames: ['model_name', 'API', 'entrypoint'],
    buckets: LATENCY_MICROS,
  },
  /** Histogram (µs): the engine's run of a successful Predict, Classify or Regress. */
  runtimeLatency: {
    name: ':tensorflow:serving:runtime_latency',
    help: 'Distribution of wall time (in microseconds) for Tensorflow runtime.',
    labelNames: ['model_name', 'API', 'runtime'],
    buckets: LATENCY_MICROS,
  },
  /** Histogram (µs): each batched task's wait between enqueue and its batch starting. */
  queuingLatency: {
    name: ':tensorflow:serving:batching_session:queuing_latency',
    help: 'Distribution of wall time spent (in microseconds) in queuing',
    labelNames: ['thread_pool_name'],
    // Scale of 100, power of 1.2 with bucket count 52 (~1 second).
    buckets: exponentialBuckets(100, 1.2, 52),
  },
  /** Counter: SavedModel load attempts; `status` is `success` or `fail`. */
  loadAttemptCount: {
    name: ':tensorflow:cc:saved_model:load_attempt_count',
    help: 'The number of times a SavedModel was successfully loaded.',
    labelNames: ['model_path', 'status'],
  },
  /** Counter (µs, summed): time spent on successful SavedModel loads. */
  loadLatency: {
    name: ':tensorflow:cc:saved_model:load_latency',
    help: 'Latency in microseconds for SavedModels that were successfully loaded.',
    labelNames: ['model_path'],
  },
} as const;

/**
 * TF Serving metrics whose names and labels were checked in its source but that the run path's
 * records cannot feed, so they are not exported: per-batch sizes (records are per request),
 * warm-up latency (warm-up is not timed as a whole), example counts and request logging.
 * @publicApi
 */
export const TF_SERVING_UNFED_METRICS = [
  ':tensorflow:serving:batching_session:input_batch_size',
  ':tensorflow:serving:batching_session:processed_batch_size',
  ':tensorflow:serving:batching_session:padding_size',
  ':tensorflow:serving:batching_session:wrapped_run_count',
  ':tensorflow:serving:model_warmup_latency',
  ':tensorflow:serving:model_warmup_records_read',
  ':tensorflow:serving:request_example_counts',
  ':tensorflow:serving:request_example_count_total',
  ':tensorflow:serving:request_log_count',
  ':tensorflow:cc:saved_model:load_latency_by_stage',
] as const;

/** Seconds buckets for requests, queue waits and runs: 0.5 ms to 10 s. */
const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const REQUEST_LABELS = ['model', 'version', 'signature', 'protocol', 'code'] as const;
const RUN_LABELS = ['model', 'version', 'signature'] as const;

/**
 * This project's metrics. Labels are only `model`, `version`, `signature`, `protocol` and `code`
 * (a label the call never reached is empty), plus `state` on the version state gauge.
 * @publicApi
 */
export const MODEL_SERVING_METRICS = {
  /** Counter: finished calls, every protocol (in-process and warm-up included). */
  requests: {
    name: 'model_serving_requests_total',
    help: 'Inference calls finished, by model, version, signature, protocol and status code.',
    labelNames: REQUEST_LABELS,
  },
  /** Histogram (s): from entering the run path to the answer. */
  requestDuration: {
    name: 'model_serving_request_duration_seconds',
    help: 'Seconds from entering the run path to the answer.',
    labelNames: REQUEST_LABELS,
    buckets: SECONDS,
  },
  /** Histogram (s): batched calls only, wait between enqueue and the batch starting. */
  queueWait: {
    name: 'model_serving_queue_wait_seconds',
    help: 'Seconds a batched call waited in its batching queue.',
    labelNames: RUN_LABELS,
    buckets: SECONDS,
  },
  /** Histogram (s): calls the engine ran, the engine's time on the batch or call. */
  runDuration: {
    name: 'model_serving_run_duration_seconds',
    help: 'Seconds the engine computed the batch or call.',
    labelNames: RUN_LABELS,
    buckets: SECONDS,
  },
  /** Histogram: batched calls only, the examples in the batch that ran each call (padded). */
  batchSize: {
    name: 'model_serving_batch_size',
    help: 'Examples in the batch each batched call ran in, after padding.',
    labelNames: RUN_LABELS,
    buckets: exponentialBuckets(1, 2, 14),
  },
  /** Histogram (s): version load attempts, successful (`code="OK"`) or not. */
  modelLoad: {
    name: 'model_serving_model_load_seconds',
    help: 'Seconds a version load attempt took, by model and status code.',
    labelNames: ['model', 'code'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
  },
  /** Counter: version load attempts, retries included. */
  modelLoads: {
    name: 'model_serving_model_loads_total',
    help: 'Version load attempts, by model and status code.',
    labelNames: ['model', 'code'],
  },
  /** Gauge: 1 for each version's current state, 0 for its other states (read at scrape time). */
  versionState: {
    name: 'model_serving_version_state',
    help: "Each served version's state (1 = current), as the status endpoint reports it.",
    labelNames: ['model', 'version', 'state'],
  },
  /** Gauge (s): 99th percentile event-loop delay since the previous scrape. */
  eventLoopLag: {
    name: 'model_serving_event_loop_lag_seconds',
    help: '99th percentile event-loop delay, in seconds, since the previous scrape.',
    labelNames: [],
  },
} as const;
