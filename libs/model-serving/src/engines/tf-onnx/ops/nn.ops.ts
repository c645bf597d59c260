import { type OnnxAttribute } from '../../onnx/onnx-model-writer.js';
import { type GraphNode } from '../../saved-model/graph-node.js';
import { type OpFamily, type OpScope, type OpTranslator } from '../op-translator.js';
import { type Dim, type TfValue } from '../tf-value.js';
import { Untranslatable } from '../untranslatable.js';
import { boolAttr, floatAttr, input, intsAttr, stringAttr } from './attrs.js';
import { castTo } from './elementwise.ops.js';
import { transposeHost } from './fold.js';

/** A window's output size along one spatial axis (TensorFlow's SAME / VALID rules). */
function windowed(size: Dim, kernel: number, stride: number, dilation: number, padding: string) {
  if (size < 0) return -1;
  const extent = (kernel - 1) * dilation + 1;
  return padding === 'SAME'
    ? Math.ceil(size / stride)
    : padding === 'VALID'
      ? Math.ceil((size - extent + 1) / stride)
      : -1;
}

interface Window {
  readonly kernel: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly dilations: readonly [number, number];
  readonly padding: string;
  /** Top, left, bottom, right for `EXPLICIT` padding. */
  readonly pads?: readonly number[];
}

/**
 * ONNX window attributes. SAME is `SAME_UPPER` (TensorFlow pads the extra row at the end), made
 * explicit for dilated windows, which ONNX Runtime's `auto_pad` refuses: then the spatial
 * dimensions must be known.
 */
function windowAttributes(
  w: Window,
  node: GraphNode,
  spatialSize?: readonly Dim[],
): Record<string, OnnxAttribute> {
  const dilated = w.dilations.some((d) => d !== 1);
  let pads = w.pads;
  if (w.padding === 'SAME' && dilated) {
    if (!spatialSize || spatialSize.some((d) => d < 0)) {
      throw new Untranslatable(node.op, 'SAME padding of a dilated window on unknown sizes');
    }
    const [begin, end] = [0, 1].map((i) => {
      const size = spatialSize[i]!;
      const out = Math.ceil(size / w.strides[i]!);
      const total = Math.max(
        (out - 1) * w.strides[i]! + (w.kernel[i]! - 1) * w.dilations[i]! + 1 - size,
        0,
      );
      return [Math.floor(total / 2), total - Math.floor(total / 2)] as const;
    });
    pads = [begin![0], end![0], begin![1], end![1]];
  }
  return {
    kernel_shape: [...w.kernel],
    strides: [...w.strides],
    ...(w.padding === 'SAME' && !dilated
      ? { auto_pad: 'SAME_UPPER' }
      : w.padding === 'VALID'
        ? { auto_pad: 'VALID' }
        : { pads: [...(pads ?? [0, 0, 0, 0])] }),
  };
}

/** The NHWC output shape of a window op with `channels` output channels. */
function windowShape(x: TfValue, w: Window, channels: Dim): Dim[] | undefined {
  const s = x.shape;
  if (s?.length !== 4) return undefined;
  return [
    s[0]!,
    windowed(s[1]!, w.kernel[0], w.strides[0], w.dilations[0], w.padding),
    windowed(s[2]!, w.kernel[1], w.strides[1], w.dilations[1], w.padding),
    channels,
  ];
}

/** NHWC (default) or NCHW; other formats are not translated. */
function dataFormat(node: GraphNode): 'NHWC' | 'NCHW' {
  const format = stringAttr(node, 'data_format', 'NHWC');
  if (format !== 'NHWC' && format !== 'NCHW') {
    throw new Untranslatable(node.op, `data_format ${format}`);
  }
  return format;
}

/** The spatial pair of a 4-element NHWC/NCHW attribute. */
function spatial(values: readonly number[], format: 'NHWC' | 'NCHW', fallback: number) {
  const [h, w] = format === 'NHWC' ? [values[1], values[2]] : [values[2], values[3]];
  return [h ?? fallback, w ?? fallback] as const;
}

function explicitPads(node: GraphNode, format: 'NHWC' | 'NCHW'): number[] {
  const p = intsAttr(node, 'explicit_paddings');
  const [h, w] = format === 'NHWC' ? [2, 4] : [4, 6];
  return [p[h] ?? 0, p[w] ?? 0, p[h + 1] ?? 0, p[w + 1] ?? 0];
}

/**
 * Runs an NCHW ONNX op on a 4-D TensorFlow input: NHWC inputs go through their NCHW twin (made
 * once), the output is an NCHW value whose NHWC form is emitted only if a consumer needs it.
 */
function onNchw(
  scope: OpScope,
  node: GraphNode,
  x: TfValue,
  build: (nchw: string) => string,
  nhwcShape: Dim[] | undefined,
): TfValue {
  const { ctx } = scope;
  if (dataFormat(node) === 'NCHW') {
    const shape = nhwcShape && [nhwcShape[0]!, nhwcShape[3]!, nhwcShape[1]!, nhwcShape[2]!];
    return ctx.value(build(x.name()), x.dtype, shape);
  }
  return ctx.nchwValue(build(ctx.toNchw(x)), x.dtype, nhwcShape);
}

/** A window for an NHWC-declared shape of an NCHW op (NCHW attributes reordered). */
function nhwcOf(x: TfValue, node: GraphNode): TfValue {
  if (dataFormat(node) === 'NHWC' || x.shape?.length !== 4) return x;
  const [n, c, h, w] = x.shape;
  return { ...x, shape: [n!, h!, w!, c!] };
}

/** `Conv2D` (filter HWIO) and `DepthwiseConv2dNative` (filter HWCM) as ONNX `Conv`. */
function conv(depthwise: boolean): OpTranslator {
  return (node, inputs, scope) => {
    const { ctx } = scope;
    const x = input(node, inputs, 0);
    const filter = input(node, inputs, 1);
    const format = dataFormat(node);
    const fshape = filter.shape;
    if (fshape?.length !== 4 || fshape.some((d) => d < 0)) {
      throw new Untranslatable(node.op, 'a filter of unknown shape');
    }
    const [kh, kw, cin, cout] = fshape as [number, number, number, number];
    const padding = stringAttr(node, 'padding', 'VALID');
    const w: Window = {
      kernel: [kh, kw],
      strides: spatial(intsAttr(node, 'strides'), format, 1),
      dilations: spatial(intsAttr(node, 'dilations'), format, 1),
      padding,
      ...(padding === 'EXPLICIT' ? { pads: explicitPads(node, format) } : {}),
    };
    // ONNX wants OIHW; depthwise filters [H, W, C, M] become [C*M, 1, H, W] with group C.
    let weights: string;
    if (filter.constant) {
      const host = depthwise
        ? transposeHost({ ...filter.constant, shape: [kh, kw, cin * cout] }, [2, 0, 1])
        : transposeHost(filter.constant, [3, 2, 0, 1]);
      const shape = depthwise ? [cin * cout, 1, kh, kw] : host.shape;
      weights = ctx.constant({ ...host, shape }, `${node.name}/filter`).name();
    } else if (!depthwise) {
      weights = ctx.emit1({
        op: 'Transpose',
        inputs: [filter.name()],
        attributes: { perm: [3, 2, 0, 1] },
      });
    } else {
      throw new Untranslatable(node.op, 'a depthwise filter computed at run time');
    }
    const nhwcInput = nhwcOf(x, node).shape;
    const attributes = {
      ...windowAttributes(w, node, nhwcInput && [nhwcInput[1]!, nhwcInput[2]!]),
      dilations: [...w.dilations],
      ...(depthwise ? { group: cin } : {}),
    };
    const outChannels = depthwise ? cin * cout : cout;
    const shape = windowShape(nhwcOf(x, node), w, outChannels);
    return [
      onNchw(
        scope,
        node,
        x,
        (nchw) => ctx.emit1({ op: 'Conv', inputs: [nchw, weights], attributes }, node.name),
        shape,
      ),
    ];
  };
}

/** `MaxPool` / `AvgPool` (TensorFlow's average leaves padding out, as ONNX's default does). */
function pool(op: 'MaxPool' | 'AveragePool'): OpTranslator {
  return (node, inputs, scope) => {
    const x = input(node, inputs, 0);
    const format = dataFormat(node);
    const w: Window = {
      kernel: spatial(intsAttr(node, 'ksize'), format, 1),
      strides: spatial(intsAttr(node, 'strides'), format, 1),
      dilations: [1, 1],
      padding: stringAttr(node, 'padding', 'VALID'),
    };
    if (w.padding === 'EXPLICIT') throw new Untranslatable(node.op, 'explicit padding');
    const nhwc = nhwcOf(x, node);
    const shape = windowShape(nhwc, w, nhwc.shape?.[3] ?? -1);
    const attributes = windowAttributes(w, node);
    return [
      onNchw(
        scope,
        node,
        x,
        (nchw) => scope.ctx.emit1({ op, inputs: [nchw], attributes }, node.name),
        shape,
      ),
    ];
  };
}

/** Swaps the last two axes of a value of known rank (folded for constants). */
function swapLast(scope: OpScope, node: GraphNode, value: TfValue): TfValue {
  const rank = value.shape?.length;
  if (rank === undefined || rank < 2)
    throw new Untranslatable(node.op, 'an adjoint of unknown rank');
  const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
  const shape = perm.map((p) => value.shape![p]!);
  if (value.constant) return scope.ctx.constant(transposeHost(value.constant, perm), 'transposed');
  const out = scope.ctx.emit1({ op: 'Transpose', inputs: [value.name()], attributes: { perm } });
  return scope.ctx.value(out, value.dtype, shape);
}

/** The shape of a matrix product (batch dimensions broadcast). */
function productShape(a: TfValue, b: TfValue): Dim[] | undefined {
  if (!a.shape || !b.shape || a.shape.length < 2 || b.shape.length < 2) return undefined;
  const batch = a.shape.length >= b.shape.length ? a.shape.slice(0, -2) : b.shape.slice(0, -2);
  return [...batch, a.shape[a.shape.length - 2]!, b.shape[b.shape.length - 1]!];
}

/** `MatMul` and `BatchMatMul(V2, V3)`: ONNX `MatMul` after the transposes asked for. */
function matmul(transposeA: string, transposeB: string): OpTranslator {
  return (node, inputs, scope) => {
    let a = input(node, inputs, 0);
    let b = input(node, inputs, 1);
    if (boolAttr(node, transposeA)) a = swapLast(scope, node, a);
    if (boolAttr(node, transposeB)) b = swapLast(scope, node, b);
    const out = scope.ctx.emit1({ op: 'MatMul', inputs: [a.name(), b.name()] }, node.name);
    const value = scope.ctx.value(out, a.dtype, productShape(a, b));
    const tout = node.attr['Tout']?.type;
    return [tout ? castTo(scope, value, tout) : value];
  };
}

/** `Softmax` / `LogSoftmax` over the last axis. */
function softmax(op: string): OpTranslator {
  return (node, inputs, { ctx }) => {
    const x = input(node, inputs, 0);
    const out = ctx.emit1({ op, inputs: [x.name()], attributes: { axis: -1 } }, node.name);
    return [ctx.value(out, x.dtype, x.shape)];
  };
}

/** Inference-time `FusedBatchNorm(V2, V3)`: ONNX `BatchNormalization` on the NCHW form. */
const fusedBatchNorm: OpTranslator = (node, inputs, scope) => {
  if (boolAttr(node, 'is_training', true)) {
    throw new Untranslatable(node.op, 'is_training is set (batch statistics)');
  }
  const x = input(node, inputs, 0);
  if (x.shape?.length !== 4) throw new Untranslatable(node.op, 'an input that is not 4-D');
  const params = [1, 2, 3, 4].map((i) => castTo(scope, input(node, inputs, i), x.dtype));
  const attributes = { epsilon: { float: floatAttr(node, 'epsilon', 0.0001) } };
  const y = onNchw(
    scope,
    node,
    x,
    (nchw) =>
      scope.ctx.emit1(
        {
          op: 'BatchNormalization',
          inputs: [nchw, ...params.map((p) => p.name())],
          attributes,
        },
        node.name,
      ),
    [...nhwcOf(x, node).shape!],
  );
  const mean = input(node, inputs, 3);
  const variance = input(node, inputs, 4);
  return [y, mean, variance, mean, variance, mean];
};

/** Convolution, pooling, matrix products, softmax and batch normalisation. */
export const NN_OPS: OpFamily = {
  Conv2D: conv(false),
  DepthwiseConv2dNative: conv(true),
  MaxPool: pool('MaxPool'),
  AvgPool: pool('AveragePool'),
  MatMul: matmul('transpose_a', 'transpose_b'),
  BatchMatMul: matmul('adj_x', 'adj_y'),
  BatchMatMulV2: matmul('adj_x', 'adj_y'),
  BatchMatMulV3: matmul('adj_x', 'adj_y'),
  Softmax: softmax('Softmax'),
  LogSoftmax: softmax('LogSoftmax'),
  FusedBatchNorm: fusedBatchNorm,
  FusedBatchNormV2: fusedBatchNorm,
  FusedBatchNormV3: fusedBatchNorm,
};
