/** How a flag's value is written. */
export type FlagKind = 'int' | 'float' | 'bool' | 'string';

/** A `tensorflow_model_server` flag this command accepts without serving it yet. */
export interface UnservedFlag {
  readonly kind: FlagKind;
  /** What runs instead, for the warning: `--<flag> is not served yet: <instead>`. */
  readonly instead: string;
}

const THREADS = 'TensorFlow.js picks its own threads (WASM runs single-threaded in Node)';

/**
 * The rest of TF Serving's `tensorflow_serving/model_servers/main.cc` flags: accepted, so its
 * command lines drop in, each with a warning naming what it would do.
 */
export const UNSERVED_FLAGS: Readonly<Record<string, UnservedFlag>> = {
  grpc_socket_path: { kind: 'string', instead: 'gRPC listens on --port only' },
  rest_api_num_threads: { kind: 'int', instead: 'Node serves REST on one thread' },
  enable_per_model_batching_parameters: {
    kind: 'bool',
    instead: 'every model batches with --batching_parameters_file (per model: the module option)',
  },
  flush_filesystem_caches: { kind: 'bool', instead: 'file system caches are left to the OS' },
  tensorflow_session_parallelism: { kind: 'int', instead: THREADS },
  tensorflow_intra_op_parallelism: { kind: 'int', instead: THREADS },
  tensorflow_inter_op_parallelism: { kind: 'int', instead: THREADS },
  tensorflow_session_config_file: {
    kind: 'string',
    instead: 'TensorFlow.js runs with its defaults',
  },
  thread_pool_factory_config_file: { kind: 'string', instead: THREADS },
  use_alts_credentials: { kind: 'bool', instead: 'gRPC stays plaintext' },
  ssl_config_file: { kind: 'string', instead: 'gRPC stays plaintext' },
  platform_config_file: {
    kind: 'string',
    instead: "formats are recognised from each version's files",
  },
  per_process_gpu_memory_fraction: { kind: 'float', instead: 'GPU memory is not capped' },
  saved_model_tags: { kind: 'string', instead: "the MetaGraph tagged 'serve' is served" },
  grpc_channel_arguments: { kind: 'string', instead: "gRPC runs with grpc-js's defaults" },
  grpc_max_threads: { kind: 'int', instead: 'Node serves gRPC on one thread' },
  num_request_iterations_for_warmup: {
    kind: 'int',
    instead: 'each warm-up request is replayed once',
  },
  remove_unused_fields_from_bundle_metadata: {
    kind: 'bool',
    instead: 'metadata answers keep every field',
  },
  prefer_tflite_model: { kind: 'bool', instead: 'TensorFlow Lite models are not served' },
  use_tflite_model: { kind: 'bool', instead: 'TensorFlow Lite models are not served' },
  num_tflite_interpreters: { kind: 'int', instead: 'TensorFlow Lite models are not served' },
  num_tflite_interpreters_per_pool: {
    kind: 'int',
    instead: 'TensorFlow Lite models are not served',
  },
  num_tflite_pools: { kind: 'int', instead: 'TensorFlow Lite models are not served' },
  enable_signature_method_name_check: {
    kind: 'bool',
    instead: 'method names of signatures are not checked',
  },
  xla_cpu_compilation_enabled: { kind: 'bool', instead: 'nothing is compiled with XLA' },
  enable_profiler: { kind: 'bool', instead: 'no profiler is served' },
  mixed_precision: { kind: 'string', instead: 'models run in the precision they were saved in' },
  skip_initialize_tpu: { kind: 'bool', instead: 'no TPU is used' },
};
