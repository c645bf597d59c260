import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GrpcStatusCode } from '../../errors/grpc-status-code.js';
import { ModelLoadError } from '../../errors/model-load.error.js';
import {
  bytesRecordSource,
  encodeTfRecords,
  fileRecordSource,
  readTfRecords,
  type TfRecord,
} from './tf-record.js';

const text = (s: string) => new TextEncoder().encode(s);
const RECORDS = [text('first'), new Uint8Array(0), text('third record, a little longer')];

async function readAll(bytes: Uint8Array): Promise<TfRecord[]> {
  const records: TfRecord[] = [];
  for await (const record of readTfRecords(bytesRecordSource(bytes))) records.push(record);
  return records;
}

async function failure(bytes: Uint8Array): Promise<ModelLoadError> {
  try {
    await readAll(bytes);
  } catch (error) {
    if (error instanceof ModelLoadError) return error;
    throw error;
  }
  throw new Error('the records were read without an error');
}

function flipped(bytes: Uint8Array, at: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[at] = copy[at]! ^ 0x01;
  return copy;
}

describe('readTfRecords', () => {
  const file = encodeTfRecords(RECORDS);
  // Offsets of the records: 16 bytes of framing each.
  const second = 16 + 5;
  const third = second + 16;

  it('reads every record with its index and offset', async () => {
    const records = await readAll(file);
    expect(records.map((r) => [r.index, r.offset, Buffer.from(r.data).toString()])).toEqual([
      [0, 0, 'first'],
      [1, second, ''],
      [2, third, 'third record, a little longer'],
    ]);
  });

  it('reads no record from an empty file', async () => {
    expect(await readAll(new Uint8Array(0))).toEqual([]);
  });

  it.each([
    ['a flipped length', 0, /record 0 \(at byte 0\) is corrupted: its length fails its checksum/],
    ['a flipped length checksum', 9, /record 0 \(at byte 0\) is corrupted: its length fails/],
    ['a flipped data byte', third + 14, /record 2 \(at byte 37\) is corrupted: its data fails/],
    ['a flipped data checksum', second + 13, /record 1 \(at byte 21\) is corrupted: its data/],
  ])('refuses %s as DATA_LOSS naming the record', async (_what, at, message) => {
    const error = await failure(flipped(file, at));
    expect(error.code).toBe(GrpcStatusCode.DATA_LOSS);
    expect(error.message).toMatch(message);
    expect(error.message).toContain('TFRecord format');
  });

  it.each([
    ['inside a header', third + 5, /record 2 \(at byte 37\) is truncated in its header/],
    ['inside the data', file.length - 10, /record 2 \(at byte 37\) is truncated: it declares 29/],
    ['before the last checksum', file.length - 1, /record 2 .* is truncated/],
  ])('refuses a file cut %s', async (_where, length, message) => {
    const error = await failure(file.subarray(0, length));
    expect(error.code).toBe(GrpcStatusCode.DATA_LOSS);
    expect(error.message).toMatch(message);
  });

  it('reads an open file by ranges', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tf-record-'));
    try {
      await writeFile(join(dir, 'records'), file);
      const handle = await open(join(dir, 'records'));
      try {
        const data: string[] = [];
        for await (const record of readTfRecords(await fileRecordSource(handle))) {
          data.push(Buffer.from(record.data).toString());
        }
        expect(data).toEqual(['first', '', 'third record, a little longer']);
      } finally {
        await handle.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
