import {
  crc32c,
  crc32cExtend,
  maskCrc,
} from '../../../libs/model-serving/src/engines/saved-model/crc32c.js';

/** How the writer stores blocks: raw, or Snappy-framed literals (what a compressor may emit). */
export type BlockCompression = 'none' | 'snappy';

export interface TableWriterOptions {
  /** Bytes after which a data block is closed. @defaultValue 4096 */
  blockSize?: number;
  /** Entries between restart points. @defaultValue 16 */
  restartInterval?: number;
  compression?: BlockCompression;
}

function varint(out: number[], value: number): void {
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

function u32(out: number[], value: number): void {
  out.push(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff);
}

/** A valid Snappy stream made only of literals (any decoder must read it). */
function snappyLiterals(raw: Uint8Array): Uint8Array {
  const out: number[] = [];
  varint(out, raw.length);
  for (let pos = 0; pos < raw.length; pos += 65536) {
    const chunk = raw.subarray(pos, Math.min(raw.length, pos + 65536));
    const n = chunk.length - 1;
    if (n < 60) out.push(n << 2);
    else if (n < 256) out.push(60 << 2, n);
    else out.push(61 << 2, n & 0xff, n >>> 8);
    for (const b of chunk) out.push(b);
  }
  return Uint8Array.from(out);
}

class BlockBuilder {
  private bytes: number[] = [];
  private restarts: number[] = [0];
  private counter = 0;
  private last: Uint8Array = new Uint8Array(0);
  entries = 0;

  constructor(private readonly restartInterval: number) {}

  add(key: Uint8Array, value: Uint8Array): void {
    let shared = 0;
    if (this.counter < this.restartInterval) {
      while (
        shared < key.length &&
        shared < this.last.length &&
        key[shared] === this.last[shared]
      ) {
        shared++;
      }
    } else {
      this.restarts.push(this.bytes.length);
      this.counter = 0;
    }
    varint(this.bytes, shared);
    varint(this.bytes, key.length - shared);
    varint(this.bytes, value.length);
    for (let i = shared; i < key.length; i++) this.bytes.push(key[i]!);
    for (const b of value) this.bytes.push(b);
    this.last = key;
    this.counter++;
    this.entries++;
  }

  get size(): number {
    return this.bytes.length;
  }

  finish(): Uint8Array {
    const out = [...this.bytes];
    for (const r of this.restarts) u32(out, r);
    u32(out, this.restarts.length);
    return Uint8Array.from(out);
  }
}

/**
 * Writes a LevelDB-format table (the format of a checkpoint's `.index` file) from entries
 * already sorted by key: data blocks, an empty meta-index block, an index block and the footer.
 */
export function writeTable(
  entries: readonly { key: string; value: Uint8Array }[],
  { blockSize = 4096, restartInterval = 16, compression = 'none' }: TableWriterOptions = {},
): Uint8Array {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const writeBlock = (raw: Uint8Array): { offset: number; size: number } => {
    const contents = compression === 'snappy' ? snappyLiterals(raw) : raw;
    const type = compression === 'snappy' ? 1 : 0;
    const trailer: number[] = [type];
    u32(trailer, maskCrc(crc32cExtend(crc32c(contents), Uint8Array.of(type))));
    const handle = { offset, size: contents.length };
    chunks.push(contents, Uint8Array.from(trailer));
    offset += contents.length + trailer.length;
    return handle;
  };
  const encoder = new TextEncoder();
  const index = new BlockBuilder(1);
  let block = new BlockBuilder(restartInterval);
  let lastKey = new Uint8Array(0);
  const flush = () => {
    if (block.entries === 0) return;
    const handle = writeBlock(block.finish());
    const value: number[] = [];
    varint(value, handle.offset);
    varint(value, handle.size);
    // The index key only has to be >= the block's last key; the key itself is simplest.
    index.add(lastKey, Uint8Array.from(value));
    block = new BlockBuilder(restartInterval);
  };
  for (const { key, value } of entries) {
    lastKey = encoder.encode(key);
    block.add(lastKey, value);
    if (block.size >= blockSize) flush();
  }
  flush();
  const meta = writeBlock(new BlockBuilder(restartInterval).finish());
  const indexHandle = writeBlock(index.finish());
  const footer: number[] = [];
  varint(footer, meta.offset);
  varint(footer, meta.size);
  varint(footer, indexHandle.offset);
  varint(footer, indexHandle.size);
  while (footer.length < 40) footer.push(0);
  footer.push(0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb);
  chunks.push(Uint8Array.from(footer));
  const out = new Uint8Array(offset + footer.length);
  let pos = 0;
  for (const chunk of chunks) {
    out.set(chunk, pos);
    pos += chunk.length;
  }
  return out;
}
