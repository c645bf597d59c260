import { crc32c, maskCrc } from '../../../libs/model-serving/src/engines/saved-model/crc32c.js';

/**
 * A TFRecord file as TensorFlow's `RecordWriter` writes it (no compression): per record a
 * little-endian uint64 length, its masked CRC-32C, the data, and the data's masked CRC-32C.
 */
export function encodeTfRecords(records: readonly Uint8Array[]): Uint8Array {
  const total = records.reduce((n, r) => n + 16 + r.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let pos = 0;
  for (const record of records) {
    view.setBigUint64(pos, BigInt(record.length), true);
    view.setUint32(pos + 8, maskCrc(crc32c(out, pos, pos + 8)), true);
    out.set(record, pos + 12);
    view.setUint32(pos + 12 + record.length, maskCrc(crc32c(record)), true);
    pos += 16 + record.length;
  }
  return out;
}
