import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { jest } from '@jest/globals';
import { bytesRecordSource, readTfRecords } from '../../engines/saved-model/tf-record.js';
import { PredictionLogFile } from './prediction-log.file.js';

describe('PredictionLogFile', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'prediction-log-file-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes its directory, frames each record as TFRecord and flushes on close', async () => {
    const file = new PredictionLogFile(join(dir, 'nested', 'm'));
    expect(file.write(Uint8Array.of(1, 2, 3))).toBe(true);
    expect(file.write(Uint8Array.of(4))).toBe(true);
    await file.close();
    const [name] = readdirSync(join(dir, 'nested'));
    expect(join(dir, 'nested', name!)).toBe(file.path);
    const records = [];
    for await (const r of readTfRecords(bytesRecordSource(readFileSync(file.path!)))) {
      records.push([...r.data]);
    }
    expect(records).toEqual([[1, 2, 3], [4]]);
    expect(file.written).toBe(2);
  });

  it('opens the next file once a record would take the current one past maxFileBytes', async () => {
    // Each framed record is 16 bytes of framing plus its data: 26 bytes for 10.
    const file = new PredictionLogFile(join(dir, 'm'), 60);
    for (let i = 0; i < 5; i++) expect(file.write(new Uint8Array(10).fill(i))).toBe(true);
    await file.close();
    expect(file.paths).toHaveLength(3);
    expect(readdirSync(dir).sort()).toEqual(file.paths.map((p) => p.split('/').pop()).sort());
    const counts = [];
    for (const path of file.paths) {
      const firsts = [];
      for await (const r of readTfRecords(bytesRecordSource(readFileSync(path)))) {
        firsts.push(r.data[0]);
      }
      counts.push(firsts);
    }
    expect(counts).toEqual([[0, 1], [2, 3], [4]]);
    // A record larger than the cap still goes, alone in its file.
    const big = new PredictionLogFile(join(dir, 'big'), 20);
    expect(big.write(new Uint8Array(100))).toBe(true);
    expect(big.write(new Uint8Array(100))).toBe(true);
    await big.close();
    expect(big.paths).toHaveLength(2);
  });

  it('stops logging, said once, when its directory cannot be made', async () => {
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      writeFileSync(join(dir, 'a-file'), '');
      const file = new PredictionLogFile(join(dir, 'a-file', 'm'));
      expect(file.write(Uint8Array.of(1))).toBe(false);
      expect(file.write(Uint8Array.of(2))).toBe(false);
      await file.close();
      expect(errors).toHaveBeenCalledTimes(1);
      expect(String(errors.mock.calls[0]![0])).toMatch(
        /^Prediction log .*a-file\/m\..*\.tfrecord cannot be written, so calls are not logged: /,
      );
    } finally {
      errors.mockRestore();
    }
  });
});
