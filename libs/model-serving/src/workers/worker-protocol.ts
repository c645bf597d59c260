import { type LogLevel } from '@nestjs/common';
import { DeadlineExceededError } from '../errors/deadline-exceeded.error.js';
import { type GrpcStatusCode } from '../errors/grpc-status-code.js';
import { IncompleteVersionError } from '../errors/incomplete-version.error.js';
import { InvalidInputError } from '../errors/invalid-input.error.js';
import { ModelLoadError } from '../errors/model-load.error.js';
import { ModelServingError } from '../errors/model-serving.error.js';
import { UnimplementedError } from '../errors/unimplemented.error.js';
import { type LoadContext } from '../models/model.loader.js';
import { type SignatureMap } from '../models/signature.js';
import {
  isStringData,
  type NumericDType,
  type NumericTensorValues,
  type TensorData,
} from '../tensor/tensor-data.js';
import { allocate } from '../tensor/typed-values.js';
import { WorkerFailedError } from '../errors/worker-failed.error.js';
import { type WorkerLoad } from './worker-load.js';

/** What each worker thread is started with. */
export interface WorkerInit {
  /** The slot the thread fills (0-based), for logs. */
  readonly index: number;
  /** The log levels the main thread's logger has on, so workers do not log past them. */
  readonly logLevels: readonly LogLevel[];
}

/** Main thread → worker. `id` pairs each request with its reply. */
export type WorkerRequest =
  | {
      readonly type: 'load';
      readonly id: number;
      readonly key: number;
      readonly load: WorkerLoad;
      readonly context: LoadContext;
    }
  | {
      readonly type: 'run';
      readonly id: number;
      readonly key: number;
      readonly signature: string;
      readonly inputs: Record<string, TensorData>;
      readonly outputs?: readonly string[];
      /** The caller's deadline (epoch ms): past it on arrival, the request is dropped. */
      readonly deadline?: number;
    }
  | { readonly type: 'unload'; readonly id: number; readonly key: number }
  | { readonly type: 'stats'; readonly id: number };

/** A worker's engine memory and versions, for status and tests. */
export interface WorkerStats {
  /** Version keys the worker holds. */
  readonly versions: readonly number[];
  /** `tf.memory()` of the worker's tfjs engine (0 when tfjs never loaded there). */
  readonly numTensors: number;
  readonly numBytes: number;
}

/** What a successful reply carries, by request type. */
export interface WorkerReplies {
  load: { readonly signatures: SignatureMap; readonly backend: string };
  run: {
    readonly outputs: Record<string, TensorData>;
    readonly runMs: number;
    readonly backend: string;
  };
  unload: Record<string, never>;
  stats: WorkerStats;
}

/** An error as it crosses the thread boundary. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly code?: GrpcStatusCode;
  readonly reason?: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Worker → main thread. */
export type WorkerMessage =
  | { readonly type: 'reply'; readonly id: number; readonly value: unknown }
  | { readonly type: 'failure'; readonly id: number; readonly error: WireError }
  | {
      readonly type: 'log';
      readonly level: LogLevel;
      readonly context?: string;
      readonly message: string;
    };

export function toWireError(error: unknown): WireError {
  if (error instanceof ModelServingError) {
    return {
      name: error.name,
      message: error.message,
      code: error.code,
      reason: error.reason,
      ...(error.details ? { details: error.details } : {}),
    };
  }
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** A library error raised in a worker whose class has no counterpart here: same code and reason. */
class RemoteModelServingError extends ModelServingError {
  constructor(
    readonly code: GrpcStatusCode,
    readonly reason: string,
    message: string,
    details?: Readonly<Record<string, unknown>>,
  ) {
    super(message, details);
  }
}

/**
 * The error a worker raised, rebuilt on this side: the library's classes by their `reason`
 * (callers match on `instanceof`, e.g. the kernel check on `ModelServingError`), engine errors
 * as plain `Error`s with their message (the kernel check reads missing kernels from it).
 */
export function fromWireError(wire: WireError): Error {
  if (wire.code === undefined || wire.reason === undefined) {
    const error = new Error(wire.message);
    error.name = wire.name;
    return error;
  }
  switch (wire.reason) {
    case 'INVALID_INPUT':
      return new InvalidInputError(wire.message, wire.details);
    case 'UNIMPLEMENTED':
      return new UnimplementedError(wire.message, wire.details);
    case 'MODEL_LOAD_FAILED':
      return new ModelLoadError(wire.message, wire.code, wire.details);
    case 'VERSION_INCOMPLETE':
      return new IncompleteVersionError(wire.message, wire.details);
    case 'DEADLINE_EXCEEDED':
      return new DeadlineExceededError(wire.message, wire.details);
    case 'WORKER_FAILED':
      return new WorkerFailedError(wire.message, wire.details);
    default:
      return new RemoteModelServingError(wire.code, wire.reason, wire.message, wire.details);
  }
}

function ownsWholeBuffer(view: ArrayBufferView): boolean {
  // Tagged, not `instanceof`: the buffer may come from another realm (a native addon, a VM).
  return (
    Object.prototype.toString.call(view.buffer) === '[object ArrayBuffer]' &&
    view.byteOffset === 0 &&
    view.byteLength === view.buffer.byteLength
  );
}

/**
 * The tensors ready to be posted, and the buffers to transfer with them. A typed array that
 * owns its whole buffer is transferred (zero copy; the sender's array is detached afterwards);
 * a view into a larger buffer (Node's pooled `Buffer`s, a slice of a batch) is copied first,
 * so only its own bytes cross, never the rest of the buffer.
 */
export function forTransfer(tensors: Readonly<Record<string, TensorData>>): {
  tensors: Record<string, TensorData>;
  transfer: ArrayBuffer[];
} {
  const transfer = new Set<ArrayBuffer>();
  const out: Record<string, TensorData> = {};
  for (const [name, tensor] of Object.entries(tensors)) {
    if (isStringData(tensor.data)) {
      out[name] = tensor;
      continue;
    }
    const data =
      ownsWholeBuffer(tensor.data) && !transfer.has(tensor.data.buffer as ArrayBuffer)
        ? tensor.data
        : tensor.data.slice();
    transfer.add(data.buffer as ArrayBuffer);
    out[name] = { dtype: tensor.dtype, shape: tensor.shape, data };
  }
  return { tensors: out, transfer: [...transfer] };
}

/**
 * Tensors received from another thread, as views made by this realm's constructors (no copy),
 * so `instanceof Float32Array` holds whichever realm deserialised the message.
 */
export function localTensors(tensors: Record<string, TensorData>): Record<string, TensorData> {
  const out: Record<string, TensorData> = {};
  for (const [name, tensor] of Object.entries(tensors)) out[name] = localTensor(tensor);
  return out;
}

function localTensor(tensor: TensorData): TensorData {
  const { dtype, shape, data } = tensor;
  if (Array.isArray(data)) {
    const strings = data as readonly Uint8Array[];
    return {
      dtype,
      shape: [...shape],
      data: strings.map((s) => {
        const bytes: ArrayBufferView = s;
        return s instanceof Uint8Array
          ? s
          : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      }),
    };
  }
  // A typed array of this realm's constructor for the dtype, over the same bytes.
  const view = data as ArrayBufferView & { length: number };
  const Local = allocate(dtype as NumericDType, 0).constructor as new (
    buffer: ArrayBufferLike,
    byteOffset: number,
    length: number,
  ) => NumericTensorValues;
  const local = data instanceof Local ? data : new Local(view.buffer, view.byteOffset, view.length);
  return { dtype, shape: [...shape], data: local };
}
