import { type OnnxAttribute } from '../../onnx/onnx-model-writer.js';
import { type GraphNode } from '../../saved-model/graph-node.js';
import { carriedDtype, hostNumbers, hostTensor, isFloat, onnxType } from '../host-tensor.js';
import { type OpFamily, type OpScope, type OpTranslator } from '../op-translator.js';
import { type TranslationContext } from '../translation-context.js';
import { type Dim, type TfValue } from '../tf-value.js';
import { Untranslatable } from '../untranslatable.js';
import { input, typeAttr } from './attrs.js';
import { foldBinary } from './fold.js';

/** The broadcast of two shapes with unknown dimensions (-1) kept unknown. */
function broadcastDims(
  a: readonly Dim[] | undefined,
  b: readonly Dim[] | undefined,
): Dim[] | undefined {
  if (!a || !b) return undefined;
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, i) => {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x === 1) return y;
    if (y === 1) return x;
    return x >= 0 ? x : y;
  });
}

/** An elementwise op of one input; computed on the NCHW twin when there is one. */
function unary(op: string, attributes?: Readonly<Record<string, OnnxAttribute>>): OpTranslator {
  return (node, inputs, { ctx }) => {
    const x = input(node, inputs, 0);
    if (x.nchw !== undefined) {
      const out = ctx.emit1({ op, inputs: [x.nchw], ...(attributes ? { attributes } : {}) });
      return [ctx.nchwValue(out, x.dtype, x.shape)];
    }
    const out = ctx.emit1({ op, inputs: [x.name()], ...(attributes ? { attributes } : {}) });
    return [ctx.value(out, x.dtype, x.shape)];
  };
}

/** A constant broadcast over the channels of an NHWC tensor, reshaped for NCHW. */
function channelConstant(ctx: TranslationContext, value: TfValue): string | undefined {
  const shape = value.constant?.shape;
  if (!shape || shape.length > 1) return undefined;
  if (shape.length === 0 || shape[0] === 1) return value.name();
  return ctx.emit1({ op: 'Reshape', inputs: [value.name(), ctx.int64([shape[0]!, 1, 1])] });
}

interface BinarySpec {
  readonly op: string;
  /** Host folding of numbers and of bigints (int64); without it constants are not folded. */
  readonly fold?: (x: number, y: number) => number;
  readonly foldBig?: (x: bigint, y: bigint) => bigint;
  /** The output dtype when it is not the inputs' (comparisons answer bool). */
  readonly bool?: boolean;
}

/**
 * An elementwise op of two broadcast inputs: folded when both are constants, computed in NCHW
 * when one input has an NCHW twin and the other is per-channel or also has one.
 */
function binary(spec: BinarySpec): OpTranslator {
  return (node, inputs, { ctx }) => {
    const a = input(node, inputs, 0);
    const b = input(node, inputs, 1);
    const dtype = spec.bool ? 'DT_BOOL' : a.dtype;
    if (a.constant && b.constant && spec.fold) {
      const folded = foldBinary(
        a.constant,
        b.constant,
        dtype,
        spec.fold,
        spec.foldBig ?? ((x, y) => BigInt(spec.fold!(Number(x), Number(y)))),
      );
      if (folded) return [ctx.constant(folded, node.name)];
    }
    const shape = broadcastDims(a.shape, b.shape);
    const rank4 = shape?.length === 4;
    if (rank4 && (a.nchw !== undefined || b.nchw !== undefined)) {
      const left = a.nchw ?? (b.nchw !== undefined ? channelConstant(ctx, a) : undefined);
      const right = b.nchw ?? (a.nchw !== undefined ? channelConstant(ctx, b) : undefined);
      if (left !== undefined && right !== undefined) {
        const out = ctx.emit1({ op: spec.op, inputs: [left, right] });
        return [ctx.nchwValue(out, dtype, shape)];
      }
    }
    const out = ctx.emit1({ op: spec.op, inputs: [a.name(), b.name()] }, node.name);
    return [ctx.value(out, dtype, shape)];
  };
}

const identity: OpTranslator = (node, inputs) => [input(node, inputs, 0)];

/** Casts a value to `dtype` (TensorFlow's `DT_*`), folding constants. */
export function castTo(scope: OpScope, value: TfValue, dtype: string, hint = 'cast'): TfValue {
  const to = carriedDtype(dtype);
  if (carriedDtype(value.dtype) === to) return value;
  const type = onnxType(to);
  if (type === undefined || to === 'DT_STRING' || value.dtype === 'DT_STRING') {
    throw new Untranslatable('Cast', `casting ${value.dtype} to ${dtype} is not translated`);
  }
  if (value.constant) {
    const numbers = hostNumbers(value.constant);
    const converted =
      to === 'DT_BOOL'
        ? numbers.map((v) => (v !== 0 ? 1 : 0))
        : isFloat(to)
          ? numbers
          : numbers.map((v) => Math.trunc(v));
    return scope.ctx.constant(hostTensor(to, value.constant.shape, converted), hint);
  }
  const out = scope.ctx.emit1({ op: 'Cast', inputs: [value.name()], attributes: { to: type } });
  return scope.ctx.value(out, to, value.shape);
}

const cast: OpTranslator = (node, inputs, scope) => [
  castTo(scope, input(node, inputs, 0), typeAttr(node, 'DstT'), node.name),
];

/** `Relu6`: Clip between 0 and 6 (bounds as inputs of the input's dtype). */
const relu6: OpTranslator = (node, inputs, scope) => {
  const x = input(node, inputs, 0);
  const bound = (v: number) => scope.ctx.constant(hostTensor(x.dtype, [], [v]), 'bound').name();
  const source = x.nchw ?? x.name();
  const out = scope.ctx.emit1({ op: 'Clip', inputs: [source, bound(0), bound(6)] });
  return [
    x.nchw !== undefined
      ? scope.ctx.nchwValue(out, x.dtype, x.shape)
      : scope.ctx.value(out, x.dtype, x.shape),
  ];
};

const leakyRelu: OpTranslator = (node, inputs, scope) =>
  unary('LeakyRelu', { alpha: { float: node.attr['alpha']?.f ?? 0.2 } })(node, inputs, scope);

/** `x * x` and friends built from two ONNX ops. */
function composed(build: (scope: OpScope, x: string, node: GraphNode) => string): OpTranslator {
  return (node, inputs, scope) => {
    const x = input(node, inputs, 0);
    return [scope.ctx.value(build(scope, x.name(), node), x.dtype, x.shape)];
  };
}

/**
 * `BiasAdd`: an `Add` of a per-channel bias; NCHW inputs (`data_format`) or NCHW twins add a
 * bias reshaped to `[C, 1, 1]`.
 */
const biasAdd: OpTranslator = (node, inputs, { ctx }) => {
  const x = input(node, inputs, 0);
  const bias = input(node, inputs, 1);
  const format = new TextDecoder().decode(node.attr['data_format']?.s ?? new Uint8Array());
  if (format === 'NCHW') {
    const rank = x.shape?.length;
    if (rank === undefined) throw new Untranslatable('BiasAdd', 'NCHW input of unknown rank');
    const shaped = ctx.emit1({
      op: 'Reshape',
      inputs: [bias.name(), ctx.int64([-1, ...new Array<number>(rank - 2).fill(1)])],
    });
    return [ctx.value(ctx.emit1({ op: 'Add', inputs: [x.name(), shaped] }), x.dtype, x.shape)];
  }
  if (x.nchw !== undefined && x.shape?.length === 4) {
    const shaped = ctx.emit1({ op: 'Reshape', inputs: [bias.name(), ctx.int64([-1, 1, 1])] });
    return [ctx.nchwValue(ctx.emit1({ op: 'Add', inputs: [x.nchw, shaped] }), x.dtype, x.shape)];
  }
  return [ctx.value(ctx.emit1({ op: 'Add', inputs: [x.name(), bias.name()] }), x.dtype, x.shape)];
};

/** `Select` / `SelectV2`: ONNX `Where` (a rank-1 condition of `Select` picks rows). */
const select: OpTranslator = (node, inputs, { ctx }) => {
  const cond = input(node, inputs, 0);
  const a = input(node, inputs, 1);
  const b = input(node, inputs, 2);
  let c = cond.name();
  const rank = a.shape?.length;
  if (node.op === 'Select' && cond.shape?.length === 1 && rank !== undefined && rank > 1) {
    c = ctx.emit1({
      op: 'Reshape',
      inputs: [c, ctx.int64([-1, ...new Array<number>(rank - 1).fill(1)])],
    });
  }
  const out = ctx.emit1({ op: 'Where', inputs: [c, a.name(), b.name()] });
  return [ctx.value(out, a.dtype, broadcastDims(a.shape, b.shape))];
};

/** `FloorDiv`: `Floor(Div)` for floats; integers divide exactly and round toward -∞. */
const floorDiv: OpTranslator = (node, inputs, scope) => {
  const a = input(node, inputs, 0);
  const b = input(node, inputs, 1);
  if (a.constant && b.constant) {
    const folded = foldBinary(
      a.constant,
      b.constant,
      a.dtype,
      (x, y) => Math.floor(x / y),
      (x, y) => {
        const q = x / y;
        return q * y !== x && x < 0n !== y < 0n ? q - 1n : q;
      },
    );
    if (folded) return [scope.ctx.constant(folded, node.name)];
  }
  if (!isFloat(a.dtype)) throw new Untranslatable('FloorDiv', `integer (${a.dtype}) division`);
  const { ctx } = scope;
  const div = ctx.emit1({ op: 'Div', inputs: [a.name(), b.name()] });
  return [
    ctx.value(ctx.emit1({ op: 'Floor', inputs: [div] }), a.dtype, broadcastDims(a.shape, b.shape)),
  ];
};

/** `SquaredDifference`: `(a - b)²`. */
const squaredDifference: OpTranslator = (node, inputs, { ctx }) => {
  const a = input(node, inputs, 0);
  const b = input(node, inputs, 1);
  const diff = ctx.emit1({ op: 'Sub', inputs: [a.name(), b.name()] });
  const out = ctx.emit1({ op: 'Mul', inputs: [diff, diff] });
  return [ctx.value(out, a.dtype, broadcastDims(a.shape, b.shape))];
};

const add = binary({ op: 'Add', fold: (x, y) => x + y, foldBig: (x, y) => x + y });
const realDiv = binary({ op: 'Div', fold: (x, y) => x / y });

/** Elementwise ops: arithmetic, comparisons, activations, casts and pass-throughs. */
export const ELEMENTWISE_OPS: OpFamily = {
  Identity: identity,
  Snapshot: identity,
  StopGradient: identity,
  PreventGradient: identity,
  EnsureShape: identity,
  CheckNumerics: identity,
  IdentityN: (_node, inputs) => inputs,
  Cast: cast,
  Add: add,
  AddV2: add,
  Sub: binary({ op: 'Sub', fold: (x, y) => x - y, foldBig: (x, y) => x - y }),
  Mul: binary({ op: 'Mul', fold: (x, y) => x * y, foldBig: (x, y) => x * y }),
  RealDiv: realDiv,
  Div: realDiv,
  FloorDiv: floorDiv,
  Maximum: binary({ op: 'Max', fold: Math.max, foldBig: (x, y) => (x > y ? x : y) }),
  Minimum: binary({ op: 'Min', fold: Math.min, foldBig: (x, y) => (x < y ? x : y) }),
  Pow: binary({ op: 'Pow' }),
  SquaredDifference: squaredDifference,
  Equal: binary({ op: 'Equal', bool: true }),
  Less: binary({ op: 'Less', bool: true }),
  LessEqual: binary({ op: 'LessOrEqual', bool: true }),
  Greater: binary({ op: 'Greater', bool: true }),
  GreaterEqual: binary({ op: 'GreaterOrEqual', bool: true }),
  LogicalAnd: binary({ op: 'And', bool: true }),
  LogicalOr: binary({ op: 'Or', bool: true }),
  NotEqual: (node, inputs, scope) => {
    const [equal] = binary({ op: 'Equal', bool: true })(node, inputs, scope);
    const out = scope.ctx.emit1({ op: 'Not', inputs: [equal!.name()] });
    return [scope.ctx.value(out, 'DT_BOOL', equal!.shape)];
  },
  LogicalNot: unary('Not'),
  Select: select,
  SelectV2: select,
  BiasAdd: biasAdd,
  BiasAddV1: biasAdd,
  Relu: unary('Relu'),
  Relu6: relu6,
  Elu: unary('Elu'),
  Selu: unary('Selu', {
    alpha: { float: 1.6732632423543772 },
    gamma: { float: 1.0507009873554805 },
  }),
  LeakyRelu: leakyRelu,
  Sigmoid: unary('Sigmoid'),
  Tanh: unary('Tanh'),
  Softplus: unary('Softplus'),
  Softsign: unary('Softsign'),
  Exp: unary('Exp'),
  Log: unary('Log'),
  Sqrt: unary('Sqrt'),
  Rsqrt: composed(({ ctx }, x) =>
    ctx.emit1({ op: 'Reciprocal', inputs: [ctx.emit1({ op: 'Sqrt', inputs: [x] })] }),
  ),
  Reciprocal: unary('Reciprocal'),
  Inv: unary('Reciprocal'),
  Square: composed(({ ctx }, x) => ctx.emit1({ op: 'Mul', inputs: [x, x] })),
  Neg: unary('Neg'),
  Abs: unary('Abs'),
  Floor: unary('Floor'),
  Ceil: unary('Ceil'),
  Round: unary('Round'),
  Sign: unary('Sign'),
  Erf: unary('Erf'),
  Sin: unary('Sin'),
  Cos: unary('Cos'),
};

export { broadcastDims };
