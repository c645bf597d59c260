import { Logger, type LoggerService, type LogLevel } from '@nestjs/common';
import { Worker } from 'node:worker_threads';
import { DeadlineExceededError } from '../errors/deadline-exceeded.error.js';
import { ModelServingError } from '../errors/model-serving.error.js';
import { ShuttingDownError } from '../errors/shutting-down.error.js';
import { type RunOptions } from '../models/model.executor.js';
import { type LoadContext } from '../models/model.loader.js';
import { type TensorData } from '../tensor/tensor-data.js';
import { WorkerFailedError } from '../errors/worker-failed.error.js';
import { type WorkerLoad } from './worker-load.js';
import {
  fromWireError,
  type WorkerInit,
  type WorkerMessage,
  type WorkerReplies,
  type WorkerRequest,
  type WorkerStats,
} from './worker-protocol.js';
import { resolveWorkerScript } from './worker-script.js';

const LOG_LEVELS: readonly LogLevel[] = ['log', 'error', 'warn', 'debug', 'verbose', 'fatal'];
/** A worker that dies sooner than this after starting is restarted with a growing delay. */
const STABLE_AFTER_MS = 5_000;
const MAX_RESTART_DELAY_MS = 5_000;
/** How long a request waits for a worker holding its version while replacements start. */
const MAX_WAIT_FOR_WORKER_MS = 10_000;

/** A request before the pool numbers it. */
type RequestBody = WorkerRequest extends infer R
  ? R extends WorkerRequest
    ? Omit<R, 'id'>
    : never
  : never;

interface Pending {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each request knows its reply type
  resolve(value: any): void;
  reject(error: Error): void;
}

class WorkerSlot {
  readonly pending = new Map<number, Pending>();
  readonly startedAt = Date.now();
  /** Run requests sent and not yet answered. */
  inFlight = 0;
  alive = true;
  /** What the 'error' event said, for the exit's message. */
  failure?: string;

  constructor(
    readonly index: number,
    readonly worker: Worker,
  ) {}
}

interface VersionRecord {
  readonly key: number;
  readonly load: WorkerLoad;
  readonly context: LoadContext;
  readonly where: string;
  /** The live workers that hold the version. */
  readonly holders: Set<WorkerSlot>;
}

/** A version loaded in the pool: its key for later requests and what the workers answered. */
export type LoadedVersion = { readonly key: number } & WorkerReplies['load'];

/**
 * A fixed number of worker threads, each with its own engines; every version is loaded in every
 * worker. Requests go to the least-loaded worker holding their version (ties in turn). A worker
 * that crashes or is stopped fails its in-flight requests at once with UNAVAILABLE
 * (`WorkerFailedError`); a replacement starts, reloads the versions from the artifacts the pool
 * keeps, and joins the rotation version by version, while the other workers serve.
 */
export class WorkerPool {
  private readonly slots: (WorkerSlot | undefined)[];
  private readonly versions = new Map<number, VersionRecord>();
  private readonly restartTimers = new Set<NodeJS.Timeout>();
  private readonly quickCrashes: number[];
  /** Woken whenever a worker starts or takes a version in. */
  private waiters: (() => void)[] = [];
  private script?: string;
  private nextId = 1;
  private nextKey = 1;
  private turn = 0;
  private closed = false;
  private reloading = 0;

  constructor(
    readonly size: number,
    private readonly logger: LoggerService = new Logger('ModelServingWorkers'),
  ) {
    this.slots = Array.from({ length: size }, () => undefined);
    this.quickCrashes = Array.from({ length: size }, () => 0);
  }

  /** Loads a version in every running worker (replacements load it when they start). */
  async load(load: WorkerLoad, context: LoadContext): Promise<LoadedVersion> {
    this.start();
    const key = this.nextKey++;
    const where = `model '${context.modelName}' version ${context.version}`;
    const record: VersionRecord = { key, load, context, where, holders: new Set() };
    // Registered first, so a worker replaced during the load reloads it too.
    this.versions.set(key, record);
    try {
      await this.waitFor(() => this.live().length > 0, undefined, where);
      const slots = this.live();
      const results = await Promise.allSettled(
        slots.map((slot) => this.request(slot, { type: 'load', key, load, context })),
      );
      let answer: WorkerReplies['load'] | undefined;
      let failure: unknown;
      results.forEach((result, i) => {
        if (result.status === 'fulfilled') {
          answer ??= result.value;
          if (slots[i]!.alive) record.holders.add(slots[i]!);
        } else if (!(result.reason instanceof WorkerFailedError) || failure === undefined) {
          // An engine's refusal outranks a worker that died meanwhile (it is being replaced).
          if (!(failure instanceof Error) || failure instanceof WorkerFailedError) {
            failure = result.reason;
          }
        }
      });
      if (!answer || (failure !== undefined && !(failure instanceof WorkerFailedError))) {
        throw failure;
      }
      this.wake();
      return { key, ...answer };
    } catch (error) {
      await this.unload(key);
      throw error;
    }
  }

  /** Runs one request on a worker holding the version. */
  async run(
    key: number,
    signature: string,
    inputs: Readonly<Record<string, TensorData>>,
    outputs: readonly string[] | undefined,
    options: RunOptions = {},
  ): Promise<WorkerReplies['run']> {
    const record = this.versions.get(key);
    if (!record) throw new WorkerFailedError('the version is no longer loaded in the worker pool');
    const { deadline, signal } = options;
    this.checkStart(record.where, deadline, signal);
    let slot = this.pick(record);
    if (!slot) {
      await this.waitFor(() => record.holders.size > 0, options, record.where);
      this.checkStart(record.where, deadline, signal);
      slot = this.pick(record);
      if (!slot) throw new WorkerFailedError(`${record.where}: no worker thread holds it`);
    }
    // Inputs are copied, not transferred: they may be the caller's own arrays (a handle's
    // tensors, a batch re-run one by one), which must stay usable after the call.
    slot.inFlight++;
    try {
      return await this.request(slot, {
        type: 'run',
        key,
        signature,
        inputs,
        ...(outputs ? { outputs } : {}),
        ...(deadline !== undefined ? { deadline } : {}),
      });
    } finally {
      slot.inFlight--;
    }
  }

  /** Unloads a version from every worker; the pool forgets its artifacts. */
  async unload(key: number): Promise<void> {
    const record = this.versions.get(key);
    if (!record) return;
    this.versions.delete(key);
    const holders = [...record.holders];
    record.holders.clear();
    await Promise.allSettled(holders.map((slot) => this.request(slot, { type: 'unload', key })));
  }

  /** Each worker's memory and versions (undefined for a worker being replaced). */
  async stats(): Promise<(WorkerStats | undefined)[]> {
    return Promise.all(
      this.slots.map((slot) =>
        slot?.alive
          ? this.request(slot, { type: 'stats' }).catch(() => undefined)
          : Promise.resolve(undefined),
      ),
    );
  }

  /** How many workers hold the version (for status and tests). */
  holders(key: number): number {
    return this.versions.get(key)?.holders.size ?? 0;
  }

  /**
   * Stops one worker as a crash would (tests, operators): its requests fail, a replacement
   * starts. @internal
   */
  async terminateWorker(index: number): Promise<void> {
    await this.slots[index]?.worker.terminate();
  }

  /** Stops every worker; pending requests fail with SHUTTING_DOWN. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.restartTimers) clearTimeout(timer);
    this.restartTimers.clear();
    this.wake();
    const running = this.slots.filter((slot): slot is WorkerSlot => slot !== undefined);
    await Promise.all(running.map((slot) => slot.worker.terminate()));
  }

  private start(): void {
    if (this.closed) throw new ShuttingDownError('the worker pool is closed');
    if (this.script) return;
    this.script = resolveWorkerScript();
    for (let index = 0; index < this.size; index++) this.spawn(index);
  }

  private live(): WorkerSlot[] {
    return this.slots.filter((slot): slot is WorkerSlot => slot?.alive === true);
  }

  private checkStart(where: string, deadline?: number, signal?: AbortSignal): void {
    if (deadline !== undefined && Date.now() >= deadline) {
      throw new DeadlineExceededError(`${where}: the deadline passed before the request started`);
    }
    if (signal?.aborted) {
      const reason: unknown = signal.reason;
      if (reason instanceof ModelServingError) throw reason;
      throw new DeadlineExceededError(`${where}: the request was cancelled before it started`);
    }
  }

  /** The least-loaded live holder; among equals, the next in turn. */
  private pick(record: VersionRecord): WorkerSlot | undefined {
    let best: WorkerSlot | undefined;
    const holders = [...record.holders];
    const start = this.turn++ % Math.max(1, holders.length);
    for (let i = 0; i < holders.length; i++) {
      const slot = holders[(start + i) % holders.length]!;
      if (slot.alive && (!best || slot.inFlight < best.inFlight)) best = slot;
    }
    return best;
  }

  /**
   * Waits until `ready()` holds while a replacement is on its way, up to the caller's deadline
   * (or a bound); fails at once when none is coming.
   */
  private async waitFor(ready: () => boolean, options: RunOptions | undefined, where: string) {
    const limit = Math.min(options?.deadline ?? Infinity, Date.now() + MAX_WAIT_FOR_WORKER_MS);
    while (!ready()) {
      if (this.closed) throw new ShuttingDownError('the worker pool is closed');
      const coming = this.restartTimers.size > 0 || this.reloading > 0 || this.live().length > 0;
      if (!coming || Date.now() >= limit) {
        throw new WorkerFailedError(`${where}: no worker thread can serve it right now`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, limit - Date.now()));
        timer.unref();
        const done = () => {
          clearTimeout(timer);
          options?.signal?.removeEventListener('abort', done);
          resolve();
        };
        options?.signal?.addEventListener('abort', done, { once: true });
        this.waiters.push(done);
      });
      if (options?.signal?.aborted) this.checkStart(where, undefined, options.signal);
    }
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private request<M extends RequestBody>(
    slot: WorkerSlot,
    message: M,
    transfer: ArrayBuffer[] = [],
  ): Promise<WorkerReplies[M['type']]> {
    if (!slot.alive) return Promise.reject(this.failedError(slot));
    const id = this.nextId++;
    return new Promise<WorkerReplies[M['type']]>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      try {
        slot.worker.postMessage({ ...message, id }, transfer);
      } catch (error) {
        slot.pending.delete(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  private spawn(index: number): WorkerSlot {
    const init: WorkerInit = {
      index,
      logLevels: LOG_LEVELS.filter((level) => Logger.isLevelEnabled(level)),
    };
    const worker = new Worker(this.script!, { workerData: init });
    const slot = new WorkerSlot(index, worker);
    this.slots[index] = slot;
    worker.on('message', (message: WorkerMessage) => this.onMessage(slot, message));
    worker.on('error', (error: Error) => {
      slot.failure = error.message;
      this.onDeath(slot);
    });
    worker.on('exit', (code: number) => {
      slot.failure ??= `exited with code ${code}`;
      this.onDeath(slot);
    });
    return slot;
  }

  private onMessage(slot: WorkerSlot, message: WorkerMessage): void {
    switch (message.type) {
      case 'log': {
        // A Logger instance would print a context given as a parameter as a second message.
        const context = message.context ?? 'ModelServingWorkers';
        Logger[message.level](message.message, context);
        return;
      }
      case 'reply':
      case 'failure': {
        const pending = slot.pending.get(message.id);
        slot.pending.delete(message.id);
        if (message.type === 'reply') pending?.resolve(message.value);
        else pending?.reject(fromWireError(message.error));
      }
    }
  }

  private failedError(slot: WorkerSlot): Error {
    if (this.closed) return new ShuttingDownError('the worker pool is closed');
    return new WorkerFailedError(
      `worker thread ${slot.index} stopped (${slot.failure ?? 'terminated'}) before answering`,
    );
  }

  /** Fails the dead worker's requests at once, takes it out of rotation, starts a replacement. */
  private onDeath(slot: WorkerSlot): void {
    if (!slot.alive) return;
    slot.alive = false;
    const error = this.failedError(slot);
    for (const pending of slot.pending.values()) pending.reject(error);
    slot.pending.clear();
    for (const record of this.versions.values()) record.holders.delete(slot);
    if (this.slots[slot.index] === slot) this.slots[slot.index] = undefined;
    if (this.closed) return;
    this.logger.error(`worker thread ${slot.index} ${slot.failure ?? 'stopped'}: replacing it`);
    const quick = Date.now() - slot.startedAt < STABLE_AFTER_MS;
    this.quickCrashes[slot.index] = quick ? this.quickCrashes[slot.index]! + 1 : 0;
    const crashes = this.quickCrashes[slot.index]!;
    const delay = crashes <= 1 ? 0 : Math.min(MAX_RESTART_DELAY_MS, 100 * 2 ** (crashes - 2));
    const timer = setTimeout(() => {
      this.restartTimers.delete(timer);
      if (!this.closed) void this.replace(slot.index);
    }, delay);
    timer.unref();
    this.restartTimers.add(timer);
  }

  /** Starts a worker in the slot and reloads every version the pool holds into it. */
  private async replace(index: number): Promise<void> {
    this.reloading++;
    try {
      const slot = this.spawn(index);
      this.wake();
      for (const record of [...this.versions.values()]) {
        if (!slot.alive) return;
        const { key, load, context } = record;
        try {
          await this.request(slot, { type: 'load', key, load, context });
        } catch (error) {
          if (slot.alive) {
            const reason = error instanceof Error ? error.message : String(error);
            this.logger.error(`worker thread ${index} could not reload ${record.where}: ${reason}`);
          }
          continue;
        }
        if (this.versions.get(key) === record && slot.alive) {
          record.holders.add(slot);
          this.wake();
        } else {
          await this.request(slot, { type: 'unload', key }).catch(() => undefined);
        }
      }
    } finally {
      this.reloading--;
      this.wake();
    }
  }
}
