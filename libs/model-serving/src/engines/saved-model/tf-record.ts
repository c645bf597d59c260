import { type FileHandle } from 'node:fs/promises';
import { GrpcStatusCode } from '../../errors/grpc-status-code.js';
import { ModelLoadError } from '../../errors/model-load.error.js';
import { crc32c, maskCrc, unmaskCrc } from './crc32c.js';

/** Where a TFRecord file's bytes come from: its size and positional reads. */
export interface TfRecordSource {
  /** The file's size in bytes. */
  readonly size: number;
  /** Up to `length` bytes from `position`; fewer only when the file ends first. */
  read(position: number, length: number): Promise<Uint8Array>;
}

/** One record of a TFRecord file: its index (from 0), byte offset and data. */
export interface TfRecord {
  readonly index: number;
  readonly offset: number;
  readonly data: Uint8Array;
}

/** uint64 length + masked CRC-32C of those 8 bytes. */
const HEADER_BYTES = 12;
const CRC_BYTES = 4;

function dataLoss(index: number, offset: number, what: string): ModelLoadError {
  return new ModelLoadError(
    `record ${index} (at byte ${offset}) ${what}; the file must be in TFRecord format`,
    GrpcStatusCode.DATA_LOSS,
  );
}

function checksumFits(bytes: Uint8Array, end: number): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return unmaskCrc(view.getUint32(end, true)) === crc32c(bytes, 0, end);
}

/**
 * The records of a TFRecord file, read one at a time as TensorFlow's `RecordReader` does:
 * each is a little-endian uint64 length and its masked CRC-32C, the data, then the data's
 * masked CRC-32C. Both checksums are checked.
 * @throws ModelLoadError DATA_LOSS naming the record when it is truncated or fails a checksum.
 */
export async function* readTfRecords(source: TfRecordSource): AsyncGenerator<TfRecord> {
  let offset = 0;
  for (let index = 0; ; index++) {
    if (offset >= source.size) return;
    const header = await source.read(offset, HEADER_BYTES);
    if (header.length < HEADER_BYTES) throw dataLoss(index, offset, 'is truncated in its header');
    if (!checksumFits(header, 8)) {
      throw dataLoss(index, offset, 'is corrupted: its length fails its checksum');
    }
    const length = new DataView(header.buffer, header.byteOffset, 8).getBigUint64(0, true);
    // Checked before reading, so a damaged length never sizes an allocation.
    if (length > BigInt(source.size - offset - HEADER_BYTES - CRC_BYTES)) {
      throw dataLoss(
        index,
        offset,
        `is truncated: it declares ${length} bytes, the file ends first`,
      );
    }
    const size = Number(length);
    const body = await source.read(offset + HEADER_BYTES, size + CRC_BYTES);
    if (body.length < size + CRC_BYTES) {
      throw dataLoss(index, offset, `is truncated: it declares ${size} bytes, the file ends first`);
    }
    if (!checksumFits(body, size)) {
      throw dataLoss(index, offset, 'is corrupted: its data fails its checksum');
    }
    yield { index, offset, data: body.subarray(0, size) };
    offset += HEADER_BYTES + size + CRC_BYTES;
  }
}

/** A source over an open file. */
export async function fileRecordSource(handle: FileHandle): Promise<TfRecordSource> {
  const { size } = await handle.stat();
  return {
    size,
    async read(position, length) {
      const buffer = new Uint8Array(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return buffer.subarray(0, filled);
    },
  };
}

/** A source over bytes already in memory. */
export function bytesRecordSource(bytes: Uint8Array): TfRecordSource {
  return {
    size: bytes.length,
    read: (position, length) =>
      Promise.resolve(bytes.subarray(Math.min(position, bytes.length), position + length)),
  };
}

/**
 * Records framed as TensorFlow's `RecordWriter` writes them (no compression): per record a
 * little-endian uint64 length, its masked CRC-32C, the data, and the data's masked CRC-32C.
 */
export function encodeTfRecords(records: readonly Uint8Array[]): Uint8Array {
  const total = records.reduce((n, r) => n + HEADER_BYTES + r.length + CRC_BYTES, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let pos = 0;
  for (const record of records) {
    view.setBigUint64(pos, BigInt(record.length), true);
    view.setUint32(pos + 8, maskCrc(crc32c(out, pos, pos + 8)), true);
    out.set(record, pos + HEADER_BYTES);
    view.setUint32(pos + HEADER_BYTES + record.length, maskCrc(crc32c(record)), true);
    pos += HEADER_BYTES + record.length + CRC_BYTES;
  }
  return out;
}
