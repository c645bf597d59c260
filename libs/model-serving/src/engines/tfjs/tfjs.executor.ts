import { Logger } from '@nestjs/common';
import * as tf from '@tensorflow/tfjs-core';
import { UnimplementedError } from '../../errors/unimplemented.error.js';
import { type SignatureDef, type SignatureMap } from '../../models/signature.js';
import { type TensorData } from '../../tensor/tensor-data.js';
import { ModelExecutor, type RunOptions } from '../../models/model.executor.js';
import { collectOutputs, toTfTensor } from './tfjs-tensors.js';

/**
 * Runs `work` with `backend` active, then gives the previous backend back. Switching an
 * initialised backend is synchronous, so a synchronous `work` cannot interleave with others.
 */
function withBackend<T>(backend: string, work: () => T): T {
  const previous = tf.getBackend();
  if (previous === backend) return work();
  void tf.setBackend(backend);
  try {
    return work();
  } finally {
    void tf.setBackend(previous);
  }
}

/**
 * A TensorFlow.js model behind the executor interface: converts plain tensors in and out,
 * disposes every tensor it makes, and runs on its own backend when the process default lacks
 * a kernel the model needs.
 */
export abstract class TfjsExecutor extends ModelExecutor {
  private runBackend: string;
  /** Where to say so, when a missing kernel may move the model to the CPU backend. */
  private cpuFallback?: string;

  constructor(readonly signatures: SignatureMap) {
    super();
    this.runBackend = tf.getBackend();
  }

  get backend(): string {
    return this.runBackend;
  }

  /** Moves the model to another (initialised) backend; its weights follow on first use. */
  runOn(backend: string): void {
    this.runBackend = backend;
  }

  /**
   * With the `auto` backend: a kernel the active backend lacks but the CPU backend has moves
   * the model to the CPU backend (once, said in the log as `where` …) instead of failing.
   */
  fallBackToCpu(where: string): void {
    this.cpuFallback = where;
  }

  async run(
    signatureKey: string,
    inputs: Readonly<Record<string, TensorData>>,
    outputs?: readonly string[],
    options?: RunOptions,
  ): Promise<Record<string, TensorData>> {
    const started = performance.now();
    try {
      return await this.runOnce(signatureKey, inputs, outputs);
    } catch (error) {
      const missing = this.cpuFallback !== undefined && missingKernel(error);
      if (!missing || this.runBackend === 'cpu' || !tf.getKernel(missing, 'cpu')) throw error;
      new Logger('ModelServing').warn(
        `${this.cpuFallback} uses ${missing}, which the ${this.runBackend} backend lacks: it runs on the cpu backend`,
      );
      this.runOn('cpu');
      return await this.runOnce(signatureKey, inputs, outputs);
    } finally {
      if (options?.trace) options.trace.runMs ??= performance.now() - started;
    }
  }

  private runOnce(
    signatureKey: string,
    inputs: Readonly<Record<string, TensorData>>,
    outputs?: readonly string[],
  ): Promise<Record<string, TensorData>> {
    const signature = this.signatures[signatureKey];
    if (!signature) throw new UnimplementedError(`signature '${signatureKey}' is not served`);
    const aliases = outputs ?? Object.keys(signature.outputs);
    return withBackend(this.runBackend, () => {
      const feeds: Record<string, tf.Tensor> = {};
      try {
        for (const [alias, data] of Object.entries(inputs)) feeds[alias] = toTfTensor(data);
        const result = this.compute(signature, feeds, aliases);
        return result instanceof Promise
          ? result
              .then((tensors) => collectOutputs(aliases, tensors))
              .finally(() => tf.dispose(feeds))
          : collectOutputs(aliases, result).finally(() => tf.dispose(feeds));
      } catch (error) {
        tf.dispose(feeds);
        throw error;
      }
    });
  }

  /**
   * Computes the outputs `aliases` (in that order) from input tensors keyed by alias. The
   * caller disposes the inputs and the returned tensors.
   */
  protected abstract compute(
    signature: SignatureDef,
    feeds: Readonly<Record<string, tf.Tensor>>,
    aliases: readonly string[],
  ): tf.Tensor[] | Promise<tf.Tensor[]>;
}

const MISSING_KERNEL = /Kernel '([^']+)' not registered for backend/;

/** The kernel an engine error says the backend lacks, if that is what it says. */
function missingKernel(error: unknown): string | undefined {
  return MISSING_KERNEL.exec(error instanceof Error ? error.message : String(error))?.[1];
}
