import { ModelExecutor, type RunOptions } from '../models/model.executor.js';
import { type SignatureMap } from '../models/signature.js';
import { type TensorData } from '../tensor/tensor-data.js';
import { localTensors } from './worker-protocol.js';
import { type LoadedVersion, type WorkerPool } from './worker-pool.js';

/**
 * The main thread's side of a version loaded in the worker pool: each call goes to the
 * least-loaded worker that holds the version. A call whose deadline has passed is dropped
 * before it is sent (DEADLINE_EXCEEDED); `trace.runMs` is the worker's own measurement of
 * the engine call. Inputs are copied to the worker (the caller's arrays stay usable); outputs
 * are transferred back. `dispose()` unloads the version from every worker.
 */
export class WorkerExecutor extends ModelExecutor {
  readonly signatures: SignatureMap;
  private engine: string;
  private disposed?: Promise<void>;

  constructor(
    private readonly pool: WorkerPool,
    private readonly version: LoadedVersion,
    override readonly engineNote?: string,
  ) {
    super();
    this.signatures = version.signatures;
    this.engine = version.backend;
  }

  /** The workers' engine, e.g. `wasm` (it changes when a model falls back to the CPU). */
  get backend(): string {
    return this.engine;
  }

  /** Workers that hold the version now (fewer while a crashed one is being replaced). */
  get workers(): number {
    return this.pool.holders(this.version.key);
  }

  async run(
    signature: string,
    inputs: Readonly<Record<string, TensorData>>,
    outputs?: readonly string[],
    options?: RunOptions,
  ): Promise<Record<string, TensorData>> {
    const reply = await this.pool.run(this.version.key, signature, inputs, outputs, options);
    if (options?.trace) options.trace.runMs = reply.runMs;
    this.engine = reply.backend;
    return localTensors(reply.outputs);
  }

  dispose(): Promise<void> {
    this.disposed ??= this.pool.unload(this.version.key);
    return this.disposed;
  }
}
