import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type SavedTensor,
  writeCheckpoint,
} from '../../../../../test/helpers/saved-model-writer/checkpoint-writer.js';
import { writeTable } from '../../../../../test/helpers/saved-model-writer/table-writer.js';
import { tfProtoType } from '../../../../../test/helpers/saved-model-writer/tf-proto-types.js';
import { GrpcStatusCode } from '../../errors/grpc-status-code.js';
import { IncompleteVersionError } from '../../errors/incomplete-version.error.js';
import { parseCheckpointIndex } from './checkpoint-index.js';
import { CheckpointReader } from './checkpoint-reader.js';

const bytes = (array: { buffer: ArrayBufferLike; byteOffset: number; byteLength: number }) =>
  new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
const text = (s: string) => new TextEncoder().encode(s);

const TENSORS: SavedTensor[] = [
  { key: 'floats', dtype: 'DT_FLOAT', shape: [2, 2], data: bytes(Float32Array.of(1, 2, 3, 4)) },
  { key: 'int64s', dtype: 'DT_INT64', shape: [2], data: bytes(BigInt64Array.of(7n, -8n)) },
  { key: 'doubles', dtype: 'DT_DOUBLE', shape: [1], data: bytes(Float64Array.of(0.5)) },
  { key: 'flags', dtype: 'DT_BOOL', shape: [3], data: Uint8Array.of(1, 0, 1) },
  { key: 'words', dtype: 'DT_STRING', shape: [3], data: [text('a'), text(''), text('hash table')] },
  { key: 'huge', dtype: 'DT_INT64', shape: [1], data: bytes(BigInt64Array.of(1n << 40n)) },
];

describe('CheckpointReader', () => {
  let dir: string;
  const open = async () => {
    const index = parseCheckpointIndex(await readFile(join(dir, 'variables.index')));
    return CheckpointReader.open(dir, index);
  };
  const entry = (reader: CheckpointReader, key: string) => reader.index.entries.get(key)!;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'checkpoint-'));
    await writeCheckpoint(dir, TENSORS, { numShards: 2 });
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads every tensor in its tfjs form, across shards', async () => {
    const reader = await open();
    expect(reader.index.numShards).toBe(2);
    const read = async (key: string, bytesPerElement: number) => {
      const e = entry(reader, key);
      const out = new Uint8Array(e.shape.reduce((a, b) => a * b, 1) * bytesPerElement);
      await reader.readNumeric(e, out);
      return out.buffer;
    };
    expect(new Float32Array(await read('floats', 4))).toEqual(Float32Array.of(1, 2, 3, 4));
    expect(new Int32Array(await read('int64s', 4))).toEqual(Int32Array.of(7, -8));
    expect(new Float32Array(await read('doubles', 4))).toEqual(Float32Array.of(0.5));
    expect(new Uint8Array(await read('flags', 1))).toEqual(Uint8Array.of(1, 0, 1));
    expect(await reader.readStrings(entry(reader, 'words'))).toEqual([
      text('a'),
      text(''),
      text('hash table'),
    ]);
    await expect(read('huge', 4)).rejects.toThrow(
      "checkpoint entry 'huge' (DT_INT64) holds 1099511627776 at index 0, which does not fit the int32",
    );
    await reader.close();
  });

  it('finds flipped bytes in numeric and string tensors', async () => {
    const reader = await open();
    const words = entry(reader, 'words');
    const file = join(dir, `variables.data-0000${words.shard}-of-00002`);
    const data = await readFile(file);
    data[words.offset + words.size - 1] = data[words.offset + words.size - 1]! ^ 1;
    const floats = entry(reader, 'floats');
    if (floats.shard === words.shard) data[floats.offset] = data[floats.offset]! ^ 1;
    await writeFile(file, data);
    await expect(reader.readStrings(words)).rejects.toMatchObject({
      code: GrpcStatusCode.DATA_LOSS,
      message: expect.stringMatching(
        /checkpoint entry 'words' in variables\/.* fails its checksum/,
      ),
    });
    await reader.close();
  });

  it('treats a missing or short shard as a version still being written', async () => {
    const reader = await open();
    const floats = entry(reader, 'floats');
    await reader.close();
    await truncate(join(dir, `variables.data-0000${floats.shard}-of-00002`), floats.offset + 2);
    const short = await open();
    await expect(short.readNumeric(floats, new Uint8Array(16))).rejects.toThrow(
      IncompleteVersionError,
    );
    await short.close();
    await rm(join(dir, 'variables.data-00001-of-00002'));
    await expect(open()).rejects.toThrow('variables/variables.data-00001-of-00002 is missing');
  });
});

describe('parseCheckpointIndex', () => {
  const Header = tfProtoType('tensorflow.BundleHeaderProto');
  const header = (fields: object) => Header.encode(Header.fromObject(fields)).finish();

  it('needs the header entry first', () => {
    expect(() =>
      parseCheckpointIndex(writeTable([{ key: 'a', value: new Uint8Array(0) }])),
    ).toThrow('the checkpoint index has no header entry');
  });

  it('refuses big-endian checkpoints and newer formats as UNIMPLEMENTED', () => {
    const big = writeTable([{ key: '', value: header({ numShards: 1, endianness: 'BIG' }) }]);
    expect(() => parseCheckpointIndex(big)).toThrow(/big-endian/);
    const newer = writeTable([
      { key: '', value: header({ numShards: 1, version: { producer: 9, minConsumer: 9 } }) },
    ]);
    expect(() => parseCheckpointIndex(newer)).toThrow(/format version 9/);
  });

  it('refuses entries in shards the header does not declare', () => {
    const Entry = tfProtoType('tensorflow.BundleEntryProto');
    const entry = Entry.encode(
      Entry.fromObject({ dtype: 'DT_FLOAT', shardId: 3, size: 4 }),
    ).finish();
    const table = writeTable([
      { key: '', value: header({ numShards: 1 }) },
      { key: 'v', value: entry },
    ]);
    expect(() => parseCheckpointIndex(table)).toThrow("checkpoint entry 'v' lies in shard 3 of 1");
  });
});
