import { GrpcStatusCode } from '../../errors/grpc-status-code.js';
import { ModelLoadError } from '../../errors/model-load.error.js';

function corrupt(detail: string): ModelLoadError {
  return new ModelLoadError(`corrupt snappy block: ${detail}`, GrpcStatusCode.DATA_LOSS);
}

/**
 * Decompresses one raw (unframed) Snappy block, as LevelDB tables store compressed blocks:
 * a varint of the uncompressed length, then literals and back-references. Every length and
 * offset is checked, so corrupt input fails with `ModelLoadError` (DATA_LOSS), never reads
 * out of bounds.
 */
export function snappyDecompress(input: Uint8Array): Uint8Array {
  let pos = 0;
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= input.length || shift > 28) throw corrupt('bad uncompressed length');
    const byte = input[pos++]!;
    length += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) break;
  }
  const out = new Uint8Array(length);
  let op = 0;
  while (pos < input.length) {
    const tag = input[pos++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let len = (tag >>> 2) + 1;
      if (len > 60) {
        const extra = len - 60;
        if (pos + extra > input.length) throw corrupt('literal length runs past the end');
        len = 0;
        for (let i = 0; i < extra; i++) len += input[pos + i]! * 2 ** (8 * i);
        len += 1;
        pos += extra;
      }
      if (pos + len > input.length) throw corrupt('literal runs past the end of the input');
      if (op + len > length) throw corrupt('literal runs past the declared length');
      out.set(input.subarray(pos, pos + len), op);
      pos += len;
      op += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      if (pos + 1 > input.length) throw corrupt('copy runs past the end of the input');
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | input[pos++]!;
    } else if (kind === 2) {
      if (pos + 2 > input.length) throw corrupt('copy runs past the end of the input');
      len = (tag >>> 2) + 1;
      offset = input[pos]! | (input[pos + 1]! << 8);
      pos += 2;
    } else {
      if (pos + 4 > input.length) throw corrupt('copy runs past the end of the input');
      len = (tag >>> 2) + 1;
      offset =
        (input[pos]! |
          (input[pos + 1]! << 8) |
          (input[pos + 2]! << 16) |
          (input[pos + 3]! << 24)) >>>
        0;
      pos += 4;
    }
    if (offset === 0 || offset > op) throw corrupt(`copy offset ${offset} at output ${op}`);
    if (op + len > length) throw corrupt('copy runs past the declared length');
    // Overlapping copies (offset < len) repeat a pattern, so copy byte by byte.
    for (let i = 0; i < len; i++, op++) out[op] = out[op - offset]!;
  }
  if (op !== length) throw corrupt(`holds ${op} bytes, declares ${length}`);
  return out;
}
