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
