import { InvalidInputError } from '../../errors/invalid-input.error.js';
import { isStringData, type NumericDType, type TensorData } from '../../tensor/tensor-data.js';
import { numberAt } from '../../tensor/typed-values.js';
import { type V2Datatype } from '../v2-datatype.js';
import { type V2Value } from '../v2-tensor-values.js';

/** `inference.InferTensorContents` as @grpc/proto-loader hands it over (longs as strings). */
export interface InferTensorContentsMessage {
  bool_contents?: boolean[];
  int_contents?: number[];
  int64_contents?: (string | number)[];
  uint_contents?: number[];
  uint64_contents?: (string | number)[];
  fp32_contents?: number[];
  fp64_contents?: number[];
  bytes_contents?: Uint8Array[];
}

type ContentsField = keyof InferTensorContentsMessage;

/** The typed field that carries each datatype (FP16 has none: raw contents only). */
const FIELDS: Readonly<Record<V2Datatype, ContentsField | undefined>> = {
  BOOL: 'bool_contents',
  UINT8: 'uint_contents',
  UINT16: 'uint_contents',
  UINT32: 'uint_contents',
  UINT64: 'uint64_contents',
  INT8: 'int_contents',
  INT16: 'int_contents',
  INT32: 'int_contents',
  INT64: 'int64_contents',
  FP16: undefined,
  FP32: 'fp32_contents',
  FP64: 'fp64_contents',
  BYTES: 'bytes_contents',
};

const ALL_FIELDS: readonly ContentsField[] = [
  'bool_contents',
  'int_contents',
  'int64_contents',
  'uint_contents',
  'uint64_contents',
  'fp32_contents',
  'fp64_contents',
  'bytes_contents',
];

/** Whether a message carries any typed values. */
export function hasTensorContents(
  contents: InferTensorContentsMessage | null | undefined,
): boolean {
  return ALL_FIELDS.some((field) => (contents?.[field]?.length ?? 0) > 0);
}

/**
 * Reads an input's values from the typed field of its datatype.
 * @throws InvalidInputError when the values sit in another field, or the datatype has no typed field.
 */
export function decodeTensorContents(
  contents: InferTensorContentsMessage | null | undefined,
  datatype: V2Datatype,
  where: string,
): ArrayLike<V2Value> {
  const field = FIELDS[datatype];
  if (!field) {
    throw new InvalidInputError(`${where}: ${datatype} values must be sent in raw_input_contents`);
  }
  const misplaced = ALL_FIELDS.find((f) => f !== field && (contents?.[f]?.length ?? 0) > 0);
  if (misplaced) {
    throw new InvalidInputError(
      `${where}: a ${datatype} tensor carries its values in ${field}, not ${misplaced}`,
    );
  }
  return contents?.[field] ?? [];
}

/**
 * Writes an output tensor into the typed field of its datatype (FP16 has none: see raw);
 * 64-bit integers as decimal strings, all digits.
 */
export function encodeTensorContents(
  tensor: TensorData,
  datatype: V2Datatype,
): InferTensorContentsMessage {
  const { data } = tensor;
  if (isStringData(data)) return { bytes_contents: [...data] };
  const from = tensor.dtype as NumericDType;
  const numbers = () => Array.from({ length: data.length }, (_, i) => numberAt(data, from, i));
  const field = FIELDS[datatype] ?? 'fp32_contents';
  switch (field) {
    case 'bool_contents':
      return { bool_contents: numbers().map((v) => v !== 0) };
    case 'int64_contents':
    case 'uint64_contents':
      return { [field]: Array.from({ length: data.length }, (_, i) => String(data[i])) };
    case 'bytes_contents':
      // A numeric tensor declared BYTES cannot happen; its numbers are the safe answer.
      return { fp32_contents: numbers() };
    case 'int_contents':
    case 'uint_contents':
    case 'fp32_contents':
    case 'fp64_contents':
      return { [field]: numbers() };
  }
}

/** Whether an output needs raw contents (a datatype without a typed field). */
export function needsRawContents(datatype: V2Datatype): boolean {
  return FIELDS[datatype] === undefined;
}
