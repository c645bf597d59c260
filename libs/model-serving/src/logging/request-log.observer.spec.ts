import { type LoggerService } from '@nestjs/common';
import { GrpcStatusCode } from '../errors/grpc-status-code.js';
import { type InferenceRecord } from '../models/inference-observer.js';
import { RequestLogObserver } from './request-log.observer.js';
import { requestIdFrom } from './request-id.interceptor.js';

const record = (code: GrpcStatusCode, more: Partial<InferenceRecord> = {}): InferenceRecord => ({
  requestId: 'req-1',
  model: 'iris',
  version: 2,
  signature: 'serving_default',
  method: 'predict',
  protocol: 'rest',
  code,
  totalMs: 1.23456,
  queueWaitMs: 0.5,
  runMs: 0.25,
  batchSize: 8,
  ...more,
});

function lines() {
  const logged: { level: string; line: string }[] = [];
  const logger: LoggerService = {
    log: (line: unknown) => logged.push({ level: 'log', line: String(line) }),
    warn: (line: unknown) => logged.push({ level: 'warn', line: String(line) }),
    error: (line: unknown) => logged.push({ level: 'error', line: String(line) }),
  };
  return { logged, logger };
}

describe('RequestLogObserver', () => {
  it('writes one JSON line per call with the request id, where it ran and how long it took', () => {
    const { logged, logger } = lines();
    new RequestLogObserver({ logger }).observe(record(GrpcStatusCode.OK));
    expect(logged).toEqual([
      {
        level: 'log',
        line: '{"requestId":"req-1","model":"iris","version":2,"signature":"serving_default","protocol":"rest","method":"predict","status":"OK","latencyMs":1.235,"queueWaitMs":0.5,"runMs":0.25,"batchSize":8}',
      },
    ]);
  });

  it('samples successful calls and always logs failures, at WARN', () => {
    const { logged, logger } = lines();
    const draws = [0.9, 0.1, 0.9];
    const observer = new RequestLogObserver({
      logger,
      sampleRate: 0.5,
      random: () => draws.shift()!,
    });
    observer.observe(record(GrpcStatusCode.OK)); // 0.9 ≥ 0.5: dropped
    observer.observe(record(GrpcStatusCode.OK)); // 0.1 < 0.5: logged
    observer.observe(record(GrpcStatusCode.NOT_FOUND, { version: undefined }));
    expect(logged.map((l) => [l.level, (JSON.parse(l.line) as { status: string }).status])).toEqual(
      [
        ['log', 'OK'],
        ['warn', 'NOT_FOUND'],
      ],
    );
  });
});

describe('requestIdFrom', () => {
  it("keeps a client's short printable id and replaces anything else with a UUID", () => {
    expect(requestIdFrom('abc-123.X:y_z')).toBe('abc-123.X:y_z');
    expect(requestIdFrom(['first', 'second'])).toBe('first');
    for (const bad of [undefined, '', 'a b', 'x'.repeat(129), '<script>', 42]) {
      expect(requestIdFrom(bad)).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
