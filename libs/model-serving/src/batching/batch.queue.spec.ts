import { jest } from '@jest/globals';
import { QueueFullError } from '../errors/queue-full.error.js';
import { BatchQueue, type QueuedTask, SYSTEM_CLOCK } from './batch.queue.js';
import { resolveBatchingParameters } from './batching-parameters.js';
import { type BatchingOptions } from '../config/model-serving-options.interface.js';

const task = (size: number, key = 'k'): QueuedTask => ({ size, key });

function queue(options: BatchingOptions) {
  const onRunnable = jest.fn();
  const parameters = resolveBatchingParameters({ maxBatchSize: 4, ...options });
  return {
    q: new BatchQueue<QueuedTask>(parameters, "model 'm'", SYSTEM_CLOCK, onRunnable),
    onRunnable,
  };
}

describe('BatchQueue', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('makes a batch runnable at its timeout, counted from its first task', () => {
    const { q, onRunnable } = queue({ batchTimeoutMicros: 10_000 });
    q.enqueue([task(1)]);
    jest.advanceTimersByTime(6);
    q.enqueue([task(1)]);
    expect(q.take()).toBeUndefined();
    jest.advanceTimersByTime(4);
    expect(onRunnable).toHaveBeenCalledTimes(1);
    expect(q.take()?.size).toBe(2);
    expect(q.batches).toBe(0);
  });

  it('keeps a due batch open until it is taken, as TF Serving does', () => {
    const { q } = queue({ batchTimeoutMicros: 0 });
    q.enqueue([task(1)]);
    q.enqueue([task(2)]);
    expect(q.batches).toBe(1);
    const batch = q.take();
    expect(batch?.tasks).toHaveLength(2);
    q.enqueue([task(1)]);
    expect(q.batches).toBe(1);
  });

  it('closes a batch that is full, or that the next task does not fit', () => {
    const { q } = queue({ batchTimeoutMicros: 1_000_000 });
    q.enqueue([task(3)]);
    q.enqueue([task(2)]);
    q.enqueue([task(2)]);
    expect(q.batches).toBe(2);
    expect(q.take()?.size).toBe(3);
    expect(q.take()?.size).toBe(4);
    expect(q.take()).toBeUndefined();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('keeps one open batch per key', () => {
    const { q } = queue({ batchTimeoutMicros: 1000 });
    q.enqueue([task(1, 'a'), task(1, 'b'), task(1, 'a')]);
    expect(q.batches).toBe(2);
    expect(q.examples).toBe(3);
  });

  it('refuses tasks that would need more than max_enqueued_batches, all or none', () => {
    const { q } = queue({ maxEnqueuedBatches: 2, batchTimeoutMicros: 1000 });
    q.enqueue([task(3)]);
    expect(() => q.enqueue([task(2), task(4)])).toThrow(QueueFullError);
    expect(q.examples).toBe(3);
    q.enqueue([task(1), task(4)]);
    expect(q.batches).toBe(2);
  });

  it('frees the slot of a removed task, and drops a batch left empty', () => {
    const { q } = queue({ batchTimeoutMicros: 1000 });
    const a = task(2);
    q.enqueue([a]);
    expect(q.remove(a)).toBe(true);
    expect(q.remove(a)).toBe(false);
    expect(q.batches).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('on flush, makes every batch runnable and clears its timers', () => {
    const { q } = queue({ batchTimeoutMicros: 1_000_000 });
    q.enqueue([task(1, 'a'), task(1, 'b')]);
    q.flush();
    expect(jest.getTimerCount()).toBe(0);
    expect(q.take()?.key).toBe('a');
    expect(q.take()?.key).toBe('b');
  });
});
