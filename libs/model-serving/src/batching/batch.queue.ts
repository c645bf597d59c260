import { QueueFullError } from '../errors/queue-full.error.js';
import { type BatchingParameters } from './batching-parameters.js';

/**
 * The time source and timers of a batching queue; injectable so that specs drive it with fake
 * timers. The default reads the global `Date.now` / `setTimeout` on every call (so jest's fake
 * timers replace them). Its timers are not `unref()`'d: a timer runs only while a request
 * waits in an open batch, and that request must keep the process alive (a warm-up or the kernel
 * check at boot runs before any server listens).
 */
export interface BatchClock {
  /** Milliseconds since the epoch, as `Date.now()` (deadlines are compared with it). */
  now(): number;
  setTimer(callback: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

/** The global clock; see {@link BatchClock}. */
export const SYSTEM_CLOCK: BatchClock = {
  now: () => Date.now(),
  setTimer: (callback, ms) => setTimeout(callback, ms),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** What the queue needs to know of a task: its examples and which tasks it may share a batch with. */
export interface QueuedTask {
  /** Examples (dimension 0). */
  readonly size: number;
  /** Tasks of equal keys may share a batch. */
  readonly key: string;
}

/** Tasks that run together. */
export interface Batch<T extends QueuedTask> {
  readonly key: string;
  readonly tasks: T[];
  /** Examples of all its tasks. */
  size: number;
  /** Full: takes no more tasks and may run. */
  closed: boolean;
  /** Its timeout has passed: it may run, and takes tasks until it does. */
  due: boolean;
  timer?: unknown;
}

/**
 * The queue of one signature of one version: an open batch per task key, and the batches
 * waiting for a batch thread, in the order they were opened. As TF Serving's batch scheduler, a
 * batch may run once it is full or its timeout (counted from its first task) has passed, and
 * keeps taking tasks until a thread takes it.
 */
export class BatchQueue<T extends QueuedTask> {
  private readonly waiting: Batch<T>[] = [];
  private readonly open = new Map<string, Batch<T>>();

  /**
   * @param where - names the queue in errors, e.g. `model 'x' version 1 signature 'serving_default'`
   * @param onRunnable - called when a batch becomes runnable by its timeout
   */
  constructor(
    private readonly parameters: BatchingParameters,
    private readonly where: string,
    private readonly clock: BatchClock,
    private readonly onRunnable: () => void,
  ) {}

  /** Batches waiting for a thread (open ones included). */
  get batches(): number {
    return this.waiting.length;
  }

  /** Examples waiting. */
  get examples(): number {
    return this.waiting.reduce((n, b) => n + b.size, 0);
  }

  /**
   * Adds tasks (the pieces of one request) all at once or none of them.
   * @throws QueueFullError when they would need more than `maxEnqueuedBatches` waiting batches
   */
  enqueue(tasks: readonly T[]): void {
    const { maxBatchSize, maxEnqueuedBatches } = this.parameters;
    // Dry run first, so a request split in pieces is refused whole rather than in part.
    const room = new Map<string, number>();
    let added = 0;
    for (const task of tasks) {
      const open = this.open.get(task.key);
      const left = room.get(task.key) ?? (open ? maxBatchSize - open.size : 0);
      if (task.size <= left) room.set(task.key, left - task.size);
      else {
        added++;
        room.set(task.key, maxBatchSize - task.size);
      }
    }
    if (this.waiting.length + added > maxEnqueuedBatches) {
      throw new QueueFullError(
        `batching queue of ${this.where} is full (${maxEnqueuedBatches} batches of up to ${maxBatchSize} examples are waiting): retry later, or raise maxEnqueuedBatches`,
        { maxEnqueuedBatches, maxBatchSize },
      );
    }
    for (const task of tasks) this.add(task);
  }

  private add(task: T): void {
    let batch = this.open.get(task.key);
    if (batch && batch.size + task.size > this.parameters.maxBatchSize) {
      this.close(batch);
      batch = undefined;
    }
    if (!batch) batch = this.openBatch(task.key);
    batch.tasks.push(task);
    batch.size += task.size;
    if (batch.size >= this.parameters.maxBatchSize) this.close(batch);
  }

  private openBatch(key: string): Batch<T> {
    const timeoutMs = this.parameters.batchTimeoutMicros / 1000;
    const batch: Batch<T> = { key, tasks: [], size: 0, closed: false, due: timeoutMs === 0 };
    if (!batch.due) {
      batch.timer = this.clock.setTimer(() => {
        batch.timer = undefined;
        batch.due = true;
        this.onRunnable();
      }, timeoutMs);
    }
    this.open.set(key, batch);
    this.waiting.push(batch);
    return batch;
  }

  private close(batch: Batch<T>): void {
    batch.closed = true;
    if (batch.timer !== undefined) this.clock.clearTimer(batch.timer);
    batch.timer = undefined;
    if (this.open.get(batch.key) === batch) this.open.delete(batch.key);
  }

  /** Whether a batch may run (full or due). */
  get runnable(): boolean {
    return this.waiting.some((b) => b.closed || b.due);
  }

  /** Takes the oldest runnable batch (full or due) off the queue, closing it. */
  take(): Batch<T> | undefined {
    const i = this.waiting.findIndex((b) => b.closed || b.due);
    const batch = this.waiting[i];
    if (!batch) return undefined;
    this.waiting.splice(i, 1);
    this.close(batch);
    return batch;
  }

  /**
   * Takes a task that has not started off its batch (a cancelled request), freeing its slot;
   * a batch left empty leaves the queue.
   * @returns whether the task was still queued
   */
  remove(task: T): boolean {
    const batch = this.waiting.find((b) => b.tasks.includes(task));
    if (!batch) return false;
    batch.tasks.splice(batch.tasks.indexOf(task), 1);
    batch.size -= task.size;
    if (batch.tasks.length === 0) {
      this.close(batch);
      this.waiting.splice(this.waiting.indexOf(batch), 1);
    }
    return true;
  }

  /** Makes every waiting batch runnable now (shutdown: flush rather than wait for timeouts). */
  flush(): void {
    for (const batch of this.waiting) {
      this.close(batch);
    }
  }
}
