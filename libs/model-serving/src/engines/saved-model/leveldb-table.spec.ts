import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeTable } from '../../../../../test/helpers/saved-model-writer/table-writer.js';
import { ModelLoadError } from '../../errors/model-load.error.js';
import { readTable } from './leveldb-table.js';
import { itIfPresent, SHARED } from '../../../../../test/helpers/paths.js';

const TF1_INDEX = join(
  SHARED,
  'testdata/tf-serving/saved_model_half_plus_two_cpu/00000123/variables/variables.index',
);

function entries(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    key: `layer_${String(i).padStart(4, '0')}/kernel`,
    value: Uint8Array.from({ length: (i % 40) + 1 }, (_, j) => (i + j) & 0xff),
  }));
}

describe('readTable', () => {
  it.each(['none', 'snappy'] as const)(
    'reads back every entry of a many-block table (%s)',
    (compression) => {
      const written = entries(500);
      const table = writeTable(written, { blockSize: 512, compression });
      expect(readTable(table)).toEqual(written);
    },
  );

  it('reads an empty table', () => {
    expect(readTable(writeTable([]))).toEqual([]);
  });

  itIfPresent(TF1_INDEX)('reads the index TensorFlow wrote for half_plus_two', () => {
    const keys = readTable(readFileSync(TF1_INDEX)).map((e) => e.key);
    expect(keys).toEqual(['', 'a', 'a2', 'b', 'c', 'c2']);
  });

  it('rejects a bad magic number, a short file and a flipped byte, naming the problem', () => {
    const table = writeTable(entries(50), { blockSize: 256 });
    const badMagic = table.slice();
    badMagic[badMagic.length - 1] = badMagic[badMagic.length - 1]! ^ 0xff;
    expect(() => readTable(badMagic)).toThrow(/bad magic number/);
    expect(() => readTable(table.subarray(0, 20))).toThrow(/shorter than a footer/);
    for (const at of [0, 100, 300, table.length - 60]) {
      const flipped = table.slice();
      flipped[at] = flipped[at]! ^ 0x01;
      expect(() => readTable(flipped)).toThrow(ModelLoadError);
      expect(() => readTable(flipped)).toThrow(/checksum mismatch|outside the file|not a valid/);
    }
  });

  it('rejects a truncated table', () => {
    const table = writeTable(entries(50), { blockSize: 256 });
    const cut = new Uint8Array(table.length - 100);
    cut.set(table.subarray(0, cut.length - 48));
    cut.set(table.subarray(table.length - 48), cut.length - 48);
    expect(() => readTable(cut)).toThrow(/outside the file|checksum mismatch/);
  });
});
