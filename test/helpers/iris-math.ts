import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLE_MODELS } from './paths.js';

export /** The sample iris network by hand: Dense(4→16, relu), then Dense(16→3, softmax). */
function irisMath(version: number, rows: number[][]): number[][] {
  const bin = readFileSync(join(SAMPLE_MODELS, 'iris', String(version), 'weights.bin'));
  const w = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  const [k1, b1, k2, b2] = [
    w.subarray(0, 64),
    w.subarray(64, 80),
    w.subarray(80, 128),
    w.subarray(128),
  ];
  return rows.map((x) => {
    const h = Array.from({ length: 16 }, (_, j) =>
      Math.max(
        0,
        x.reduce((s, xi, i) => s + xi * k1[i * 16 + j]!, b1[j]!),
      ),
    );
    const z = Array.from({ length: 3 }, (_, j) =>
      h.reduce((s, hi, i) => s + hi * k2[i * 3 + j]!, b2[j]!),
    );
    const e = z.map((v) => Math.exp(v - Math.max(...z)));
    return e.map((v) => v / e.reduce((a, b) => a + b, 0));
  });
}
