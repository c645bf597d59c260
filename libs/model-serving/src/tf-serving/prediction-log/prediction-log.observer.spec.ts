import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { jest } from '@jest/globals';
import { GrpcStatusCode } from '../../errors/grpc-status-code.js';
import { type InferenceRecord } from '../../models/inference-observer.js';
import { PredictionLogObserver } from './prediction-log.observer.js';

const record = (exchange: unknown): InferenceRecord => ({
  model: 'm',
  version: 1,
  signature: 'serving_default',
  method: 'regress',
  protocol: 'rest',
  code: GrpcStatusCode.OK,
  totalMs: 1,
  queueWaitMs: 0,
  runMs: 1,
  exchange: exchange as InferenceRecord['exchange'],
});

describe('PredictionLogObserver', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'prediction-log-observer-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('says in the log when a record cannot be encoded, and keeps logging the others', async () => {
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const config = {
        filenamePrefix: join(dir, 'm'),
        samplingRate: 1,
        maxRecordBytes: 1 << 20,
        maxFileBytes: 1 << 30,
      };
      const observer = new PredictionLogObserver(() => config);
      const modelSpec = { name: 'm', version: 1, signature: 'serving_default' };
      // Not an exchange the run path makes: encoding it throws, off the call's path.
      observer.observe(record({ method: 'regress', modelSpec: undefined }));
      observer.observe(record({ method: 'regress', modelSpec, examples: [], values: [0.5] }));
      await new Promise((resolve) => setImmediate(resolve));
      await observer.close();
      expect(errors).toHaveBeenCalledTimes(1);
      expect(String(errors.mock.calls[0]![0])).toMatch(
        /^Prediction log of model 'm': a sampled call could not be logged: TypeError/,
      );
      expect(readdirSync(dir)).toHaveLength(1);
      expect([...observer.logFiles().values()].map((f) => f.written)).toEqual([1]);
    } finally {
      errors.mockRestore();
    }
  });

  it('writes nothing for failures, warm-up or an unconfigured model, and what waits on close', async () => {
    const config = {
      filenamePrefix: join(dir, 'm'),
      samplingRate: 1,
      maxRecordBytes: 1 << 20,
      maxFileBytes: 1 << 30,
    };
    const observer = new PredictionLogObserver((model) => (model === 'm' ? config : undefined));
    const modelSpec = { name: 'm', version: 1, signature: 'serving_default' };
    const exchange = { method: 'regress', modelSpec, examples: [], values: [1] };
    observer.observe({ ...record(exchange), code: GrpcStatusCode.INVALID_ARGUMENT });
    observer.observe({ ...record(exchange), protocol: 'warmup' });
    observer.observe({ ...record(exchange), model: 'other' });
    expect(observer.logFiles().size).toBe(0);
    // Not yet encoded when close starts: close writes it before flushing.
    observer.observe(record(exchange));
    await observer.close();
    expect([...observer.logFiles().values()].map((f) => f.written)).toEqual([1]);
  });
});
