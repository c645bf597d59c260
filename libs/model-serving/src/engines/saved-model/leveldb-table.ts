import { GrpcStatusCode } from '../../errors/grpc-status-code.js';
import { ModelLoadError } from '../../errors/model-load.error.js';
import { crc32c, crc32cExtend, unmaskCrc } from './crc32c.js';
import { snappyDecompress } from './snappy.js';

/** One key/value pair of a table, in key order. */
export interface TableEntry {
  readonly key: string;
  readonly value: Uint8Array;
}

const FOOTER_LENGTH = 48;
const BLOCK_TRAILER_LENGTH = 5;
/** `kTableMagicNumber`, 0xdb4775248b80fb57, stored little-endian. */
const MAGIC = Uint8Array.of(0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb);

function corrupt(detail: string): ModelLoadError {
  return new ModelLoadError(`not a valid table (${detail})`, GrpcStatusCode.DATA_LOSS);
}

/** A cursor over bytes that fails cleanly instead of reading past the end. */
class Cursor {
  constructor(
    readonly bytes: Uint8Array,
    public pos: number,
    readonly end: number,
  ) {}

  varint(what: string): number {
    let value = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      if (this.pos >= this.end) throw corrupt(`${what} runs past its block`);
      const byte = this.bytes[this.pos++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) {
        if (!Number.isSafeInteger(value)) throw corrupt(`${what} is too large`);
        return value;
      }
    }
    throw corrupt(`${what} is not a varint`);
  }

  take(length: number, what: string): Uint8Array {
    if (this.pos + length > this.end) throw corrupt(`${what} runs past its block`);
    const out = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }
}

interface BlockHandle {
  readonly offset: number;
  readonly size: number;
}

function readHandle(cursor: Cursor, what: string): BlockHandle {
  return { offset: cursor.varint(`${what} offset`), size: cursor.varint(`${what} size`) };
}

/** Reads, checksums and (when compressed) decompresses one block. */
function readBlock(file: Uint8Array, handle: BlockHandle, what: string): Uint8Array {
  const end = handle.offset + handle.size;
  if (end + BLOCK_TRAILER_LENGTH > file.length - FOOTER_LENGTH) {
    throw corrupt(`${what} block at ${handle.offset}+${handle.size} lies outside the file`);
  }
  const type = file[end]!;
  const stored =
    (file[end + 1]! | (file[end + 2]! << 8) | (file[end + 3]! << 16) | (file[end + 4]! << 24)) >>>
    0;
  const actual = crc32cExtend(crc32c(file, handle.offset, end), file, end, end + 1);
  if (unmaskCrc(stored) !== actual) {
    throw corrupt(`checksum mismatch in the ${what} block at offset ${handle.offset}`);
  }
  const contents = file.subarray(handle.offset, end);
  if (type === 0) return contents;
  if (type === 1) return snappyDecompress(contents);
  throw corrupt(`${what} block at offset ${handle.offset} has unknown compression ${type}`);
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/** Iterates a block's prefix-compressed entries, checking the restart array around them. */
function blockEntries(block: Uint8Array, what: string): { key: Uint8Array; value: Uint8Array }[] {
  if (block.length < 4) throw corrupt(`${what} block is too short`);
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const restarts = view.getUint32(block.length - 4, true);
  const limit = block.length - 4 - 4 * restarts;
  if (restarts === 0 || limit < 0) throw corrupt(`${what} block has a bad restart array`);
  const cursor = new Cursor(block, 0, limit);
  const entries: { key: Uint8Array; value: Uint8Array }[] = [];
  let previous = new Uint8Array(0);
  while (cursor.pos < limit) {
    const shared = cursor.varint('key prefix length');
    const unshared = cursor.varint('key length');
    const valueLength = cursor.varint('value length');
    if (shared > previous.length) throw corrupt(`${what} block shares more key than it has`);
    const suffix = cursor.take(unshared, 'key');
    const key = new Uint8Array(shared + unshared);
    key.set(previous.subarray(0, shared));
    key.set(suffix, shared);
    entries.push({ key, value: cursor.take(valueLength, 'value') });
    previous = key;
  }
  return entries;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * Reads every entry of a LevelDB-format table (TensorFlow's `table` library, which writes
 * checkpoint indexes): footer and magic, index block, then each data block with its masked
 * CRC-32C checked and Snappy blocks decompressed. Keys must be strictly increasing.
 * @throws ModelLoadError (DATA_LOSS) naming what is wrong
 */
export function readTable(file: Uint8Array): TableEntry[] {
  if (file.length < FOOTER_LENGTH) throw corrupt(`${file.length} bytes is shorter than a footer`);
  const footerStart = file.length - FOOTER_LENGTH;
  for (let i = 0; i < MAGIC.length; i++) {
    if (file[file.length - MAGIC.length + i] !== MAGIC[i]) throw corrupt('bad magic number');
  }
  const footer = new Cursor(file, footerStart, file.length - MAGIC.length);
  readHandle(footer, 'metaindex');
  const indexHandle = readHandle(footer, 'index');
  const entries: TableEntry[] = [];
  let last: Uint8Array | undefined;
  for (const indexEntry of blockEntries(readBlock(file, indexHandle, 'index'), 'index')) {
    const handleCursor = new Cursor(indexEntry.value, 0, indexEntry.value.length);
    const handle = readHandle(handleCursor, 'data block');
    for (const { key, value } of blockEntries(readBlock(file, handle, 'data'), 'data')) {
      if (last && compareBytes(last, key) >= 0) throw corrupt('keys are out of order');
      last = key;
      entries.push({ key: decoder.decode(key), value });
    }
  }
  return entries;
}
