/*
 * The entry of each inference worker thread (run as JavaScript, from `dist/`): holds one
 * executor per loaded version and answers the pool's requests (see worker-protocol.ts).
 */
import { type LoggerService, type LogLevel, Logger } from '@nestjs/common';
import { parentPort, workerData } from 'node:worker_threads';
import { DeadlineExceededError } from '../errors/deadline-exceeded.error.js';
import { type ModelExecutor } from '../models/model.executor.js';
import { buildWorkerExecutor, usesTfjs } from './worker-engines.js';
import {
  forTransfer,
  toWireError,
  type WorkerInit,
  type WorkerMessage,
  type WorkerReplies,
  type WorkerRequest,
} from './worker-protocol.js';

/** Sends this thread's log lines to the main thread, whose logger prints (or drops) them. */
class ForwardingLogger implements LoggerService {
  constructor(
    private readonly post: (message: WorkerMessage) => void,
    private readonly index: number,
  ) {}

  log(message: unknown, ...params: unknown[]): void {
    this.send('log', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.send('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.send('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.send('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.send('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.send('fatal', message, params);
  }

  private send(level: LogLevel, message: unknown, params: unknown[]): void {
    // Nest's Logger passes its context as the last parameter.
    const last = params[params.length - 1];
    const text = message instanceof Error ? message.message : String(message);
    this.post({
      type: 'log',
      level,
      ...(typeof last === 'string' ? { context: last } : {}),
      message: `[worker ${this.index}] ${text}`,
    });
  }
}

const port = parentPort;
if (!port) throw new Error('inference.worker.js runs only as a worker thread of the pool');
const init = workerData as WorkerInit;
const post = (message: WorkerMessage, transfer?: ArrayBuffer[]) =>
  port.postMessage(message, transfer);

Logger.overrideLogger([...init.logLevels]);
Logger.overrideLogger(new ForwardingLogger(post, init.index));

const executors = new Map<number, ModelExecutor>();

async function memory(): Promise<{ numTensors: number; numBytes: number }> {
  if (!usesTfjs()) return { numTensors: 0, numBytes: 0 };
  const tf = await import('@tensorflow/tfjs-core');
  const { numTensors, numBytes } = tf.memory();
  return { numTensors, numBytes };
}

async function answer(
  request: WorkerRequest,
): Promise<[WorkerReplies[WorkerRequest['type']], ArrayBuffer[]]> {
  switch (request.type) {
    case 'load': {
      if (executors.has(request.key)) throw new Error(`version key ${request.key} is loaded`);
      const executor = await buildWorkerExecutor(request.load, request.context);
      executors.set(request.key, executor);
      return [{ signatures: executor.signatures, backend: executor.backend }, []];
    }
    case 'run': {
      const executor = executors.get(request.key);
      if (!executor) throw new Error(`version key ${request.key} is not loaded in this worker`);
      if (request.deadline !== undefined && Date.now() >= request.deadline) {
        throw new DeadlineExceededError('the deadline passed before the request could start');
      }
      const started = performance.now();
      const outputs = await executor.run(request.signature, request.inputs, request.outputs);
      const runMs = performance.now() - started;
      const { tensors, transfer } = forTransfer(outputs);
      return [{ outputs: tensors, runMs, backend: executor.backend }, transfer];
    }
    case 'unload': {
      const executor = executors.get(request.key);
      executors.delete(request.key);
      await executor?.dispose();
      return [{}, []];
    }
    case 'stats':
      return [{ versions: [...executors.keys()], ...(await memory()) }, []];
  }
}

async function handle(request: WorkerRequest): Promise<void> {
  try {
    const [value, transfer] = await answer(request);
    post({ type: 'reply', id: request.id, value }, transfer);
  } catch (error) {
    post({ type: 'failure', id: request.id, error: toWireError(error) });
  }
}

port.on('message', (request: WorkerRequest) => void handle(request));
