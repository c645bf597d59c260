/** The shape, weights and plain-JS forward pass of the synthetic CNN. */

export interface CnnShape {
  /** Input image size, NHWC: `[-1, height, width, channels]`. */
  height: number;
  width: number;
  channels: number;
  /** Output channels of each Conv2D (SAME, stride 1) + BiasAdd + Relu + MaxPool 2x2 block. */
  filters: readonly number[];
  /** Square kernel size of every Conv2D. */
  kernel: number;
  /** Width of the hidden Dense + Relu after Flatten; 0 for none. */
  dense: number;
  /** Width of the final Dense, followed by Softmax. */
  classes: number;
}

/** One Conv2D's values: kernel `[k, k, in, out]` (HWIO) row-major, bias `[out]`. */
export interface ConvWeights {
  readonly kernel: Float32Array;
  readonly bias: Float32Array;
  readonly dims: readonly [number, number, number, number];
}

/** One Dense layer's values: kernel `[in, out]` row-major, bias `[out]`. */
export interface CnnDenseWeights {
  readonly kernel: Float32Array;
  readonly bias: Float32Array;
  readonly dims: readonly [number, number];
}

export interface CnnParams {
  readonly shape: CnnShape;
  readonly convs: readonly ConvWeights[];
  /** The hidden Dense (when `dense > 0`), then the logits Dense. */
  readonly denses: readonly CnnDenseWeights[];
}

/** A variable of the CNN: graph name, checkpoint key, shape and values. */
export interface CnnVariable {
  readonly name: string;
  readonly key: string;
  readonly dims: readonly number[];
  readonly values: Float32Array;
}

/** Spatial size after the conv blocks (each MaxPool 2x2 VALID halves, rounding down). */
export function pooledSize({ height, width, filters }: CnnShape): [number, number] {
  let [h, w] = [height, width];
  for (let i = 0; i < filters.length; i++) [h, w] = [Math.floor(h / 2), Math.floor(w / 2)];
  return [h, w];
}

/** Length of the flattened feature vector fed to the first Dense. */
export function flatSize(shape: CnnShape): number {
  const [h, w] = pooledSize(shape);
  const last = shape.filters.length ? shape.filters[shape.filters.length - 1]! : shape.channels;
  return h * w * last;
}

/** Deterministic pseudo-random floats in [-scale, scale) (mulberry32). */
export function fillRandom(values: Float32Array, seed: number, scale: number): void {
  let a = seed >>> 0;
  for (let i = 0; i < values.length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    values[i] = ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * scale;
  }
}

/** Glorot-uniform kernels and small biases, all determined by `seed`. */
export function makeCnnParams(shape: CnnShape, seed: number): CnnParams {
  const { kernel: k, filters, channels, dense, classes } = shape;
  let stream = seed * 1000;
  const values = (n: number, scale: number) => {
    const v = new Float32Array(n);
    fillRandom(v, stream++, scale);
    return v;
  };
  const convs = filters.map((out, i): ConvWeights => {
    const inp = i ? filters[i - 1]! : channels;
    const fanIn = k * k * inp;
    const fanOut = k * k * out;
    return {
      kernel: values(fanIn * out, Math.sqrt(6 / (fanIn + fanOut))),
      bias: values(out, 0.1),
      dims: [k, k, inp, out],
    };
  });
  const widths = [flatSize(shape), ...(dense > 0 ? [dense] : []), classes];
  const denses = widths.slice(1).map((out, i): CnnDenseWeights => {
    const inp = widths[i]!;
    return {
      kernel: values(inp * out, Math.sqrt(6 / (inp + out))),
      bias: values(out, 0.1),
      dims: [inp, out],
    };
  });
  return { shape, convs, denses };
}

/**
 * The CNN's variables in checkpoint order: `conv2d_i/{kernel,bias}`, then `dense_j/{kernel,bias}`.
 * TF1 keys are the variable names; TF2 keys follow Keras' object graph
 * (`layer_with_weights-N/kernel/.ATTRIBUTES/VARIABLE_VALUE`).
 */
export function cnnVariables(params: CnnParams, style: 'tf1' | 'tf2'): CnnVariable[] {
  const layers = [
    ...params.convs.map((w, i) => ({ scope: `conv2d_${i}`, w })),
    ...params.denses.map((w, i) => ({ scope: `dense_${i}`, w })),
  ];
  return layers.flatMap(({ scope, w }, n) =>
    (['kernel', 'bias'] as const).map((part) => ({
      name: `${scope}/${part}`,
      key:
        style === 'tf1'
          ? `${scope}/${part}`
          : `layer_with_weights-${n}/${part}/.ATTRIBUTES/VARIABLE_VALUE`,
      dims: part === 'kernel' ? [...w.dims] : [w.bias.length],
      values: w[part],
    })),
  );
}

/** Conv2D (SAME, stride 1) + bias + ReLU on one NHWC image held flat. */
function conv(x: Float64Array, h: number, w: number, { kernel, bias, dims }: ConvWeights) {
  const [k, , cin, cout] = dims;
  const before = Math.floor((k - 1) / 2);
  const y = new Float64Array(h * w * cout);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const acc = Float64Array.from(bias);
      for (let di = 0; di < k; di++) {
        const ii = i + di - before;
        if (ii < 0 || ii >= h) continue;
        for (let dj = 0; dj < k; dj++) {
          const jj = j + dj - before;
          if (jj < 0 || jj >= w) continue;
          for (let c = 0; c < cin; c++) {
            const xv = x[(ii * w + jj) * cin + c]!;
            const base = ((di * k + dj) * cin + c) * cout;
            for (let o = 0; o < cout; o++) acc[o]! += xv * kernel[base + o]!;
          }
        }
      }
      for (let o = 0; o < cout; o++) y[(i * w + j) * cout + o] = Math.max(0, acc[o]!);
    }
  }
  return y;
}

/** MaxPool 2x2, stride 2, VALID. */
function pool(x: Float64Array, h: number, w: number, c: number) {
  const [ph, pw] = [Math.floor(h / 2), Math.floor(w / 2)];
  const y = new Float64Array(ph * pw * c);
  for (let i = 0; i < ph; i++) {
    for (let j = 0; j < pw; j++) {
      for (let o = 0; o < c; o++) {
        let m = -Infinity;
        for (let di = 0; di < 2; di++) {
          for (let dj = 0; dj < 2; dj++) {
            m = Math.max(m, x[((2 * i + di) * w + 2 * j + dj) * c + o]!);
          }
        }
        y[(i * pw + j) * c + o] = m;
      }
    }
  }
  return y;
}

/** The exported CNN's answer (Softmax probabilities), in plain JS (float64), for NHWC images. */
export function cnnForward(params: CnnParams, input: readonly number[][][][]): number[][] {
  const { height, width, channels } = params.shape;
  return input.map((image) => {
    let x = Float64Array.from(image.flat(2));
    if (x.length !== height * width * channels) {
      throw new Error(`image has ${x.length} values, expected ${height}x${width}x${channels}`);
    }
    let [h, w] = [height, width];
    for (const c of params.convs) {
      x = pool(conv(x, h, w, c), h, w, c.dims[3]);
      [h, w] = [Math.floor(h / 2), Math.floor(w / 2)];
    }
    params.denses.forEach(({ kernel, bias, dims: [inp, out] }, layer) => {
      const y = Float64Array.from(bias);
      for (let i = 0; i < inp; i++) {
        const xv = x[i]!;
        if (xv === 0) continue;
        for (let j = 0; j < out; j++) y[j]! += xv * kernel[i * out + j]!;
      }
      if (layer < params.denses.length - 1) y.forEach((v, j) => (y[j] = Math.max(0, v)));
      x = y;
    });
    const max = Math.max(...x);
    const exps = Array.from(x, (v) => Math.exp(v - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    return exps.map((e) => e / sum);
  });
}
