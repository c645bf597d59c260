import { setImmediate as nextTurn } from 'node:timers/promises';
import { InvalidInputError } from '../../../errors/invalid-input.error.js';
import { type TensorData, elementCount } from '../../../tensor/tensor-data.js';
import { type PredictFormat } from './predict-request.js';
import { encodePredictResponse, encodePredictResponseAsync } from './predict-response.js';

function tensor(
  dtype: 'float32' | 'int32' | 'bool' | 'string',
  shape: number[],
  seed = 1,
): TensorData {
  const n = elementCount(shape);
  const value = (i: number): number => ((i * 7919 + seed) % 1000) / 8 - 60;
  switch (dtype) {
    case 'float32':
      return { dtype, shape, data: Float32Array.from({ length: n }, (_, i) => value(i)) };
    case 'int32':
      return { dtype, shape, data: Int32Array.from({ length: n }, (_, i) => Math.round(value(i))) };
    case 'bool':
      return { dtype, shape, data: Uint8Array.from({ length: n }, (_, i) => ((i * seed) % 3) & 1) };
    case 'string':
      return { dtype, shape, data: Array.from({ length: n }, (_, i) => Buffer.from(`s"${i}\n`)) };
  }
}

/** Encodes asynchronously, counting the event-loop turns that ran meanwhile. */
async function encodeCountingTurns(
  format: PredictFormat,
  outputs: Record<string, TensorData>,
): Promise<{ json: string; turns: number }> {
  let turns = 0;
  let running = true;
  const tick = async (): Promise<void> => {
    while (running) {
      await nextTurn();
      turns++;
    }
  };
  const ticking = tick();
  try {
    return { json: await encodePredictResponseAsync(format, outputs), turns };
  } finally {
    running = false;
    await ticking;
  }
}

const cases: [string, PredictFormat, Record<string, TensorData>][] = [
  ['a scalar per item', 'row', { y: tensor('float32', [5]) }],
  ['a small matrix', 'row', { y: tensor('float32', [3, 4]) }],
  ['two outputs', 'row', { a: tensor('int32', [4, 2, 3]), b_bytes: tensor('string', [4]) }],
  ['bools, columnar', 'columnar', { y: tensor('bool', [2, 3, 2]) }],
  ['a scalar, columnar', 'columnar', { y: tensor('float32', []) }],
  ['empty dimensions', 'columnar', { a: tensor('float32', [2, 0, 3]), b: tensor('int32', [0]) }],
  ['empty dimensions per item', 'row', { y: tensor('float32', [3, 0]) }],
  ['1 M scalars', 'row', { y: tensor('float32', [1_000_000]) }],
  ['large items', 'row', { y: tensor('float32', [40, 28, 28, 3]), z: tensor('int32', [40, 5]) }],
  ['one huge item', 'row', { y: tensor('float32', [1, 300_000]) }],
  ['a large tensor, columnar', 'columnar', { y: tensor('float32', [3, 70_000, 2]) }],
  ['large strings, columnar', 'columnar', { s: tensor('string', [200_000]) }],
];

describe('encodePredictResponseAsync', () => {
  it.each(cases)('writes the bytes of the sync encoder: %s', async (_, format, outputs) => {
    const sync = encodePredictResponse(format, outputs);
    const { json } = await encodeCountingTurns(format, outputs);
    expect(json).toBe(sync);
  });

  it('writes the lists of each shape in order', () => {
    const y = tensor('int32', [3, 2, 70_000, 1]);
    const parsed = JSON.parse(encodePredictResponse('columnar', { y })) as { outputs: unknown };
    const flat = (parsed.outputs as number[][][][]).flat(3);
    expect(flat).toEqual(Array.from(y.data as Int32Array));
    expect((parsed.outputs as unknown[][][]).map((a) => a.map((b) => b.length))).toEqual([
      [70_000, 70_000],
      [70_000, 70_000],
      [70_000, 70_000],
    ]);
  });

  it('yields about every 64 Ki values of a large output, never for a small one', async () => {
    expect((await encodeCountingTurns('row', { y: tensor('float32', [32, 10]) })).turns).toBe(0);
    const large = await encodeCountingTurns('row', { y: tensor('float32', [1_000_000]) });
    expect(large.turns).toBeGreaterThanOrEqual(10);
    expect(large.turns).toBeLessThanOrEqual(20);
    const huge = await encodeCountingTurns('row', { y: tensor('float32', [1, 300_000]) });
    expect(huge.turns).toBeGreaterThanOrEqual(3);
  });

  it('rejects with the errors of the sync encoder', async () => {
    await expect(encodePredictResponseAsync('row', {})).rejects.toThrow(
      new InvalidInputError('Cannot convert empty tensor map to JSON'),
    );
    const short: TensorData = { dtype: 'float32', shape: [200_000], data: new Float32Array(10) };
    await expect(encodePredictResponseAsync('row', { y: short })).rejects.toThrow(
      'Tensor name: y has fewer values than its shape [200000]',
    );
  });
});
