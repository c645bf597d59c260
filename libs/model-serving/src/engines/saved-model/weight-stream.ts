import { ModelLoadError } from '../../errors/model-load.error.js';
import { type CheckpointReader } from './checkpoint-reader.js';
import { tensorValue } from './tensor-values.js';
import { dtypeMapping } from './tf-dtypes.js';
import { type WeightSource } from './tfjs-graph.js';

/** tfjs's weight encoding of strings: each as a little-endian uint32 length, then its bytes. */
function encodeStrings(strings: readonly Uint8Array[]): ArrayBuffer {
  const total = strings.reduce((sum, s) => sum + 4 + s.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let pos = 0;
  for (const s of strings) {
    view.setUint32(pos, s.length, true);
    out.set(s, pos + 4);
    pos += 4 + s.length;
  }
  return out.buffer;
}

function exactBuffer(values: Float32Array | Int32Array | Uint8Array): ArrayBuffer {
  const { buffer, byteOffset, byteLength } = values;
  return byteOffset === 0 && byteLength === buffer.byteLength && buffer instanceof ArrayBuffer
    ? buffer
    : (buffer.slice(byteOffset, byteOffset + byteLength) as ArrayBuffer);
}

async function weightBytes(
  source: WeightSource,
  reader: CheckpointReader | undefined,
): Promise<ArrayBuffer> {
  if (source.kind === 'tensor') {
    const { values } = tensorValue(source.node, source.tensor);
    return Array.isArray(values) ? encodeStrings(values) : exactBuffer(values);
  }
  const { entry } = source;
  if (!reader)
    throw new ModelLoadError(`variable '${source.node}' needs a checkpoint, and there is none`);
  const mapping = dtypeMapping(entry.dtype);
  if (mapping?.tfjs === 'string') return encodeStrings(await reader.readStrings(entry));
  const count = entry.shape.reduce((a, b) => a * b, 1);
  const buffer = new ArrayBuffer(count * (mapping?.tfjs === 'bool' ? 1 : 4));
  await reader.readNumeric(entry, new Uint8Array(buffer));
  return buffer;
}

/** Zeros of a weight's encoded size: what stands in for it after a read has failed. */
function placeholderBytes(source: WeightSource): ArrayBuffer {
  const shape = source.kind === 'checkpoint' ? source.entry.shape : undefined;
  const dtype = source.kind === 'checkpoint' ? source.entry.dtype : source.tensor.dtype;
  const dims = shape ?? (source.kind === 'tensor' ? (source.tensor.tensorShape?.dim ?? []) : []);
  const count = dims.reduce<number>(
    (n, d) => n * (typeof d === 'number' ? d : Number(d.size ?? 0)),
    1,
  );
  const tfjs = dtypeMapping(dtype)?.tfjs;
  // An empty string encodes as its 4-byte length.
  return new ArrayBuffer(count * (tfjs === 'bool' ? 1 : 4));
}

/** The weight bytes tfjs reads, and the first read failure, if any. */
export interface WeightFeed {
  readonly stream: ReadableStream<ArrayBuffer>;
  /** The first error a weight read threw (the stream went on with zeros). */
  failure(): unknown;
}

/**
 * The weights' bytes in tfjs's encoding, produced one weight at a time as tfjs consumes them,
 * so a model's values are never all held twice while it loads. A failed read (checksum,
 * short file) does not error the stream: tfjs would drop the weight tensors it already made
 * without disposing them. The rest of the stream is zeros; the caller checks `failure()`
 * once the model is built, disposes it and reports the error.
 */
export function weightStream(
  weights: readonly WeightSource[],
  reader: CheckpointReader | undefined,
): WeightFeed {
  let next = 0;
  let failure: unknown;
  let failed = false;
  const stream = new ReadableStream<ArrayBuffer>(
    {
      async pull(controller) {
        const source = weights[next++];
        if (!source) {
          controller.close();
          return;
        }
        if (!failed) {
          try {
            controller.enqueue(await weightBytes(source, reader));
            return;
          } catch (error) {
            failed = true;
            failure = error;
          }
        }
        controller.enqueue(placeholderBytes(source));
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, failure: () => failure };
}
