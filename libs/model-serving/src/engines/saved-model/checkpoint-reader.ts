import { type FileHandle, open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { GrpcStatusCode } from '../../errors/grpc-status-code.js';
import { IncompleteVersionError } from '../../errors/incomplete-version.error.js';
import { ModelLoadError } from '../../errors/model-load.error.js';
import { type CheckpointEntry, type CheckpointIndex, shardFileName } from './checkpoint-index.js';
import { crc32c, crc32cExtend, maskCrc, unmaskCrc } from './crc32c.js';
import { convertRaw, dtypeMapping } from './tf-dtypes.js';
import { unreadable } from './unreadable.js';

const elements = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Reads saved tensors from a checkpoint's data shards by byte range (never whole files),
 * checking each tensor's CRC-32C. Paths in messages are relative to the version directory.
 */
export class CheckpointReader {
  private readonly handles = new Map<number, FileHandle>();

  private constructor(
    private readonly dir: string,
    readonly index: CheckpointIndex,
    private readonly sizes: readonly number[],
  ) {}

  /**
   * Checks that every shard exists; a missing one means the version is still being copied.
   * @throws IncompleteVersionError naming the missing shard
   */
  static async open(variablesDir: string, index: CheckpointIndex): Promise<CheckpointReader> {
    const sizes: number[] = [];
    for (let shard = 0; shard < index.numShards; shard++) {
      const name = shardFileName(shard, index.numShards);
      const size = await stat(join(variablesDir, name)).then(
        (s) => s.size,
        () => -1,
      );
      if (size < 0) throw new IncompleteVersionError(`variables/${name} is missing`);
      sizes.push(size);
    }
    return new CheckpointReader(variablesDir, index, sizes);
  }

  /** Element count, tfjs bytes per element, and the file a tensor lies in. */
  private locate(entry: CheckpointEntry): { file: string; count: number } {
    const file = `variables/${shardFileName(entry.shard, this.index.numShards)}`;
    if (entry.sliced) {
      throw new ModelLoadError(
        `checkpoint entry '${entry.key}' was saved in slices (a partitioned variable), which this loader does not read`,
        GrpcStatusCode.UNIMPLEMENTED,
      );
    }
    if (entry.offset + entry.size > (this.sizes[entry.shard] ?? 0)) {
      throw new IncompleteVersionError(
        `${file} holds ${this.sizes[entry.shard]} bytes, but checkpoint entry '${entry.key}' ends at byte ${entry.offset + entry.size}`,
      );
    }
    return { file, count: elements(entry.shape) };
  }

  private async readRange(entry: CheckpointEntry, into: Uint8Array): Promise<void> {
    let handle = this.handles.get(entry.shard);
    const name = shardFileName(entry.shard, this.index.numShards);
    if (!handle) {
      handle = await open(join(this.dir, name), 'r').catch((error: unknown) => {
        throw unreadable(`variables/${name}`, error);
      });
      this.handles.set(entry.shard, handle);
    }
    let done = 0;
    while (done < entry.size) {
      // Reads are capped below 2 GiB, the most one read() moves.
      const length = Math.min(entry.size - done, 1 << 30);
      const { bytesRead } = await handle
        .read(into, done, length, entry.offset + done)
        .catch((error: unknown) => {
          throw unreadable(`variables/${name}`, error);
        });
      if (bytesRead === 0)
        throw new IncompleteVersionError(`checkpoint entry '${entry.key}' ends early`);
      done += bytesRead;
    }
  }

  private checksumError(entry: CheckpointEntry, file: string, actual: number): ModelLoadError {
    return new ModelLoadError(
      `checkpoint entry '${entry.key}' in ${file} fails its checksum (stored ${unmaskCrc(entry.maskedCrc).toString(16)}, computed ${actual.toString(16)}): the data file is corrupt`,
      GrpcStatusCode.DATA_LOSS,
    );
  }

  /**
   * A numeric tensor's little-endian bytes in its own dtype (int64 as 8 bytes, double as 8),
   * checked against its shape and its CRC, read into `into` when given: what engines that
   * compute in every dtype (ONNX Runtime) take as they are.
   */
  async readRaw(entry: CheckpointEntry, into?: Uint8Array): Promise<Uint8Array> {
    const { file, count } = this.locate(entry);
    const mapping = dtypeMapping(entry.dtype);
    if (!mapping || mapping.tfjs === 'string') {
      throw new ModelLoadError(
        `checkpoint entry '${entry.key}' has unsupported dtype ${entry.dtype}`,
      );
    }
    if (entry.size !== count * mapping.bytes) {
      throw new ModelLoadError(
        `checkpoint entry '${entry.key}' holds ${entry.size} bytes, its shape [${entry.shape.join(', ')}] of ${entry.dtype} needs ${count * mapping.bytes}`,
        GrpcStatusCode.DATA_LOSS,
      );
    }
    const raw = into ? into.subarray(0, entry.size) : new Uint8Array(entry.size);
    await this.readRange(entry, raw);
    const actual = crc32c(raw);
    if (actual !== unmaskCrc(entry.maskedCrc)) throw this.checksumError(entry, file, actual);
    return raw;
  }

  /**
   * Reads a numeric tensor into `dest`, which must hold exactly its tfjs form (4 bytes per
   * element for float32/int32, 1 for bool). float32, int32 and bool are read in place.
   */
  async readNumeric(entry: CheckpointEntry, dest: Uint8Array): Promise<void> {
    const inPlace =
      entry.dtype === 'DT_FLOAT' || entry.dtype === 'DT_INT32' || entry.dtype === 'DT_BOOL';
    const raw = await this.readRaw(entry, inPlace ? dest : undefined);
    const count = entry.shape.reduce((a, b) => a * b, 1);
    if (entry.dtype === 'DT_BOOL') for (let i = 0; i < count; i++) dest[i] = dest[i] ? 1 : 0;
    if (inPlace) return;
    const overflow = { index: -1, value: '' };
    const converted = convertRaw(entry.dtype, raw, count, overflow);
    if (!converted) {
      throw new ModelLoadError(
        `checkpoint entry '${entry.key}' (${entry.dtype}) holds ${overflow.value} at index ${overflow.index}, which does not fit the int32 that TensorFlow.js computes in`,
      );
    }
    dest.set(new Uint8Array(converted.buffer, converted.byteOffset, converted.byteLength));
  }

  /**
   * Reads a string tensor: varint64 lengths, a masked CRC of the lengths, then the bytes;
   * the entry's CRC covers the lengths (as uint32, or uint64 past 4 GiB), that CRC and the bytes.
   */
  async readStrings(entry: CheckpointEntry): Promise<Uint8Array[]> {
    const { file, count } = this.locate(entry);
    if (entry.dtype !== 'DT_STRING') {
      throw new ModelLoadError(`checkpoint entry '${entry.key}' is not a string tensor`);
    }
    const raw = new Uint8Array(entry.size);
    await this.readRange(entry, raw);
    const bad = (detail: string) =>
      new ModelLoadError(
        `checkpoint entry '${entry.key}' in ${file}: ${detail}`,
        GrpcStatusCode.DATA_LOSS,
      );
    const lengths: number[] = [];
    let pos = 0;
    let crc = 0;
    const scratch = new DataView(new ArrayBuffer(8));
    for (let i = 0; i < count; i++) {
      let length = 0;
      for (let shift = 0; ; shift += 7) {
        if (pos >= raw.length || shift > 49) throw bad('bad string length');
        const byte = raw[pos++]!;
        length += (byte & 0x7f) * 2 ** shift;
        if (byte < 0x80) break;
      }
      lengths.push(length);
      const wide = length > 0xffffffff;
      scratch.setUint32(0, length % 2 ** 32, true);
      scratch.setUint32(4, Math.floor(length / 2 ** 32), true);
      crc = crc32cExtend(crc, new Uint8Array(scratch.buffer, 0, wide ? 8 : 4));
    }
    if (pos + 4 > raw.length) throw bad('the string lengths run past the entry');
    const storedLengthCrc = new DataView(raw.buffer, raw.byteOffset + pos, 4).getUint32(0, true);
    if (storedLengthCrc !== maskCrc(crc)) throw this.checksumError(entry, file, crc);
    crc = crc32cExtend(crc, raw, pos, pos + 4);
    pos += 4;
    const strings: Uint8Array[] = [];
    for (const length of lengths) {
      if (pos + length > raw.length) throw bad('a string runs past the entry');
      strings.push(raw.slice(pos, pos + length));
      pos += length;
    }
    crc = crc32cExtend(crc, raw, pos - lengths.reduce((a, b) => a + b, 0), pos);
    if (crc !== unmaskCrc(entry.maskedCrc)) throw this.checksumError(entry, file, crc);
    return strings;
  }

  /** Closes the shard files opened so far. */
  async close(): Promise<void> {
    const handles = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(handles.map((h) => h.close()));
  }
}
