import { Logger } from '@nestjs/common';
import * as tf from '@tensorflow/tfjs-core';
import { UnimplementedError } from '../../errors/unimplemented.error.js';
import { type SignatureDef, type SignatureMap } from '../../models/signature.js';
import { type TensorData } from '../../tensor/tensor-data.js';
import { ModelExecutor, type RunOptions } from '../../models/model.executor.js';
import { collectOutputs, toTfTensor } from './tfjs-tensors.js';

/**
 * The process's one active tfjs backend, shared by every model. A model on another backend
 * (its CPU fallback) switches it for its run and back. Switching is synchronous, so a run that
 * finishes within one turn cannot interleave with others; a run that awaits between ops (graphs
 * with control flow) would let other runs see its backend, and would itself continue on theirs.
 * Such runs therefore take the gate alone: they wait for the asynchronous runs on the default
 * backend in flight, and every run that starts meanwhile waits for them.
 */
class BackendGate {
  /** Settles when the last queued exclusive run has ended. */
  private exclusiveTail: Promise<void> = Promise.resolve();
  private exclusiveRuns = 0;
  /** Asynchronous runs on the default backend still in flight. */
  private readonly shared = new Set<Promise<unknown>>();

  /** Runs `work` on `backend`; `async` says whether it may outlive the current turn. */
  async run<T>(backend: string, async: boolean, work: () => T | Promise<T>): Promise<T> {
    while (this.exclusiveRuns > 0) await this.exclusiveTail;
    if (backend === tf.getBackend()) return this.track(work());
    if (!async) return switched(backend, work);
    this.exclusiveRuns++;
    const previous = this.exclusiveTail;
    let release!: () => void;
    this.exclusiveTail = new Promise<void>((resolve) => (release = resolve));
    try {
      await previous;
      while (this.shared.size > 0) await Promise.allSettled([...this.shared]);
      const restore = tf.getBackend();
      await tf.setBackend(backend);
      try {
        return await work();
      } finally {
        await tf.setBackend(restore);
      }
    } finally {
      this.exclusiveRuns--;
      release();
    }
  }

  private track<T>(result: T | Promise<T>): T | Promise<T> {
    if (!(result instanceof Promise)) return result;
    this.shared.add(result);
    return result.finally(() => this.shared.delete(result));
  }
}

/** Runs a synchronous `work` with `backend` active, then gives the previous backend back. */
function switched<T>(backend: string, work: () => T): T {
  const previous = tf.getBackend();
  void tf.setBackend(backend);
  try {
    return work();
  } finally {
    void tf.setBackend(previous);
  }
}

const GATE = new BackendGate();

/** Thrown by `compute` when a graph turns out to need the asynchronous path. */
export class NeedsAsyncRun extends Error {}

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
      return await this.runOnce(signatureKey, inputs, outputs).catch((error: unknown) => {
        if (error instanceof NeedsAsyncRun) return this.runOnce(signatureKey, inputs, outputs);
        throw error;
      });
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
    return GATE.run(this.runBackend, this.runsAsync, () => {
      const feeds: Record<string, tf.Tensor> = {};
      try {
        for (const [alias, data] of Object.entries(inputs)) {
          feeds[alias] = toTfTensor(data, `input '${alias}'`);
        }
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
   * Whether `compute` awaits between ops (control flow), so that a run on a backend other than
   * the default must hold the backend until it settles. A `compute` that finds out while running
   * sets it and throws {@link NeedsAsyncRun}; the call is then run again.
   */
  protected get runsAsync(): boolean {
    return false;
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
