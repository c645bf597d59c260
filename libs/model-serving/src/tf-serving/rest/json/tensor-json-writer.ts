import { InvalidInputError } from '../../../errors/invalid-input.error.js';
import { type TensorData, isStringData } from '../../../tensor/tensor-data.js';
import { halfToFloat } from '../../../tensor/float16.js';
import { base64Escape } from './base64.js';
import { formatFloat } from './float-format.js';
import { dataTypeString } from './json-tensor-fill.js';
import { type PrettyWriter } from './pretty-writer.js';

function missingValues(name: string, tensor: TensorData): InvalidInputError {
  return new InvalidInputError(
    `Tensor name: ${name} has fewer values than its shape [${tensor.shape.join(',')}]`,
  );
}

/** TF Serving's `AddSingleValueAndAdvance`. */
function writeValue(writer: PrettyWriter, name: string, tensor: TensorData, offset: number): void {
  const { data } = tensor;
  if (isStringData(data)) {
    const bytes = data[offset];
    if (bytes === undefined) throw missingValues(name, tensor);
    if (!name.endsWith('_bytes')) {
      writer.string(bytes);
      return;
    }
    writer.startObject();
    writer.key('b64');
    writer.string(base64Escape(bytes));
    writer.endObject();
    return;
  }
  const number = data[offset];
  if (number === undefined) throw missingValues(name, tensor);
  switch (tensor.dtype) {
    case 'float32':
      writer.raw(formatFloat(number as number, 'float32'));
      return;
    case 'float64':
      writer.raw(formatFloat(number as number, 'float64'));
      return;
    case 'float16': // every half is a float32: written as TF Serving writes floats
      writer.raw(formatFloat(halfToFloat(number as number), 'float32'));
      return;
    case 'int8':
    case 'int16':
    case 'int32':
    case 'int64': // a bigint: all its digits, as rapidjson's Int64()
    case 'uint8':
    case 'uint16':
    case 'uint32':
    case 'uint64':
      writer.raw(String(number));
      return;
    case 'bool':
      writer.bool(number !== 0);
      return;
    case 'string': // string data never reaches here
      throw new InvalidInputError(
        `Failed to write JSON value for tensor type: ${dataTypeString(tensor.dtype)}`,
      );
  }
}

/** TF Serving's `AddTensorValues` in one go (for blocks without values: lists only). */
function writeLists(
  writer: PrettyWriter,
  name: string,
  tensor: TensorData,
  dim: number,
  offset: number,
): number {
  const { shape } = tensor;
  if (dim > shape.length - 1) {
    writeValue(writer, name, tensor, offset);
    return offset + 1;
  }
  writer.startArray();
  const size = shape[dim] ?? 0;
  for (let i = 0; i < size; i++) offset = writeLists(writer, name, tensor, dim + 1, offset);
  writer.endArray();
  return offset;
}

/**
 * TF Serving's `AddTensorValues` (a tensor's dimensions from `dim` on as nested lists, from
 * value `offset` on), resumable after any value: {@link write} goes on for a number of values,
 * so a large tensor can be written in pieces with the very calls of one recursive pass.
 */
export class TensorJsonWriter {
  /** The next value to write. */
  offset = 0;
  private dims: readonly number[] = [];
  private index: number[] = [];
  private left = 0;
  private name = '';
  private tensor: TensorData | undefined;

  constructor(private readonly writer: PrettyWriter) {}

  /** Whether the lists started by {@link start} are all written. */
  get done(): boolean {
    return this.tensor === undefined;
  }

  /** Starts writing `tensor` (output `name`) from dimension `dim` and value `offset`. */
  start(name: string, tensor: TensorData, dim: number, offset: number): void {
    this.tensor = undefined;
    if (dim >= tensor.shape.length) {
      writeValue(this.writer, name, tensor, offset); // a scalar per item: the common case
      this.offset = offset + 1;
      return;
    }
    this.dims = tensor.shape.slice(dim);
    let count = 1;
    for (const size of this.dims) count *= size;
    if (count === 0) {
      // Lists without values: nothing to resume in.
      this.offset = writeLists(this.writer, name, tensor, dim, offset);
      return;
    }
    this.name = name;
    this.tensor = tensor;
    this.offset = offset;
    this.left = count;
    this.index = this.dims.map(() => 0);
    for (let d = 0; d < this.dims.length; d++) this.writer.startArray();
  }

  /**
   * Writes up to `budget` more values (closing and opening lists in between).
   * @returns the number of values written.
   */
  write(budget: number): number {
    const { tensor, writer, dims, index } = this;
    if (tensor === undefined) return 0;
    const last = dims.length - 1;
    const n = Math.min(budget, this.left);
    for (let k = 0; k < n; k++) {
      writeValue(writer, this.name, tensor, this.offset++);
      // Advance the index like an odometer: close each list that is full, reopen below.
      let d = last;
      index[d] = (index[d] ?? 0) + 1;
      while (d > 0 && index[d] === dims[d]) {
        writer.endArray();
        index[d] = 0;
        d--;
        index[d] = (index[d] ?? 0) + 1;
      }
      if (d === 0 && index[0] === dims[0]) writer.endArray();
      else for (; d < last; d++) writer.startArray();
    }
    this.left -= n;
    if (this.left === 0) this.tensor = undefined;
    return n;
  }
}
