import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import {
  crc32c,
  crc32cExtend,
  maskCrc,
} from '../../../libs/model-serving/src/engines/saved-model/crc32c.js';
import { tfProtoType } from './tf-proto-types.js';
import { type BlockCompression, writeTable } from './table-writer.js';

/** One tensor to save: TensorFlow dtype, shape, and its little-endian bytes (or strings). */
export interface SavedTensor {
  readonly key: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly data: Uint8Array | readonly Uint8Array[];
}

export interface CheckpointWriterOptions {
  /** Data files to spread the tensors over (round robin). @defaultValue 1 */
  numShards?: number;
  compression?: BlockCompression;
}

const pad = (n: number) => String(n).padStart(5, '0');

/** TensorFlow's on-disk form of a string tensor: varint lengths, their masked CRC, bytes. */
function stringTensorBytes(strings: readonly Uint8Array[]): { bytes: Uint8Array; crc: number } {
  const lengths: number[] = [];
  let crc = 0;
  for (const s of strings) {
    let v = s.length;
    while (v >= 0x80) {
      lengths.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    lengths.push(v);
    const le = new Uint8Array(4);
    new DataView(le.buffer).setUint32(0, s.length, true);
    crc = crc32cExtend(crc, le);
  }
  const lengthCrc = new Uint8Array(4);
  new DataView(lengthCrc.buffer).setUint32(0, maskCrc(crc), true);
  crc = crc32cExtend(crc, lengthCrc);
  const parts = [Uint8Array.from(lengths), lengthCrc, ...strings];
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    bytes.set(p, pos);
    pos += p.length;
  }
  for (const s of strings) crc = crc32cExtend(crc, s);
  return { bytes, crc };
}

/**
 * Writes a TensorFlow checkpoint (`variables.index` + `variables.data-SSSSS-of-NNNNN`) as
 * TensorFlow's BundleWriter does: a LevelDB table of BundleEntryProtos under a header,
 * masked CRC-32C per tensor. Data is written tensor by tensor, so it can be large.
 */
export async function writeCheckpoint(
  variablesDir: string,
  tensors: readonly SavedTensor[],
  { numShards = 1, compression = 'none' }: CheckpointWriterOptions = {},
): Promise<void> {
  await mkdir(variablesDir, { recursive: true });
  const Entry = tfProtoType('tensorflow.BundleEntryProto');
  const Header = tfProtoType('tensorflow.BundleHeaderProto');
  const files = await Promise.all(
    Array.from({ length: numShards }, (_, s) =>
      open(join(variablesDir, `variables.data-${pad(s)}-of-${pad(numShards)}`), 'w'),
    ),
  );
  const offsets = new Array<number>(numShards).fill(0);
  const entries: { key: string; value: Uint8Array }[] = [];
  try {
    for (const [i, tensor] of tensors.entries()) {
      const shard = i % numShards;
      const { bytes, crc } = Array.isArray(tensor.data)
        ? stringTensorBytes(tensor.data as readonly Uint8Array[])
        : { bytes: tensor.data as Uint8Array, crc: crc32c(tensor.data as Uint8Array) };
      await files[shard]!.write(bytes, 0, bytes.length, offsets[shard]);
      const entry = Entry.fromObject({
        dtype: tensor.dtype,
        shape: { dim: tensor.shape.map((size) => ({ size })) },
        shardId: shard,
        offset: offsets[shard],
        size: bytes.length,
        crc32c: maskCrc(crc),
      });
      entries.push({ key: tensor.key, value: Entry.encode(entry).finish() });
      offsets[shard]! += bytes.length;
    }
  } finally {
    await Promise.all(files.map((f) => f.close()));
  }
  const header = Header.encode(
    Header.fromObject({ numShards, endianness: 'LITTLE', version: { producer: 1 } }),
  ).finish();
  entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const index = writeTable([{ key: '', value: header }, ...entries], { compression });
  const handle = await open(join(variablesDir, 'variables.index'), 'w');
  try {
    await handle.write(index);
  } finally {
    await handle.close();
  }
}
