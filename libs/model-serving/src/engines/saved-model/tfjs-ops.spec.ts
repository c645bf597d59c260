import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { TFJS_OPS } from './tfjs-ops.js';

/** The op lists tfjs-converter's OperationMapper imports (ragged and tfdf are not among them). */
const MAPPED = [
  'arithmetic',
  'basic_math',
  'control',
  'convolution',
  'creation',
  'dynamic',
  'evaluation',
  'graph',
  'hash_table',
  'image',
  'logical',
  'matrices',
  'normalization',
  'reduction',
  'slice_join',
  'sparse',
  'spectral',
  'string',
  'transformation',
];

describe('TFJS_OPS', () => {
  it('is exactly the set of ops the installed tfjs-converter maps', () => {
    const pkg = createRequire(import.meta.url).resolve('@tensorflow/tfjs-converter/package.json');
    const dir = join(dirname(pkg), 'dist', 'operations', 'op_list');
    const mapper = readFileSync(join(dir, '..', 'operation_mapper.js'), 'utf8');
    const imported = [...mapper.matchAll(/from '\.\/op_list\/(\w+)'/g)].map((m) => m[1]);
    expect(imported.sort()).toEqual([...MAPPED].sort());
    expect(readdirSync(dir).length).toBeGreaterThan(0);
    const ops = new Set<string>();
    for (const file of MAPPED) {
      const text = readFileSync(join(dir, `${file}.js`), 'utf8');
      for (const m of text.matchAll(/'tfOpName': '(\w+)'/g)) ops.add(m[1]!);
    }
    expect([...TFJS_OPS].sort()).toEqual([...ops].sort());
  });
});
