import {
  type OnnxAttribute,
  type OnnxGraph,
  type OnnxInitializer,
  type OnnxNode,
  type OnnxValue,
} from '../onnx/onnx-model-writer.js';
import { hostTensor, type HostTensor, onnxType, toInitializer } from './host-tensor.js';
import { type Dim, permuted, type TfValue, TO_NCHW, TO_NHWC } from './tf-value.js';
import { Untranslatable } from './untranslatable.js';

/** A node to emit: its op, input names and attributes; `outputs` output names are made. */
export interface EmitSpec {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly attributes?: Readonly<Record<string, OnnxAttribute>>;
  /** @defaultValue 1 */
  readonly outputs?: number;
  readonly domain?: string;
}

/**
 * What an op translator writes into: ONNX nodes and initializers of one graph (a signature's,
 * or a `Loop`/`If` body's, see `subgraph`), with unique value names, constants emitted only
 * when an emitted node uses them, and the NHWC/NCHW twins of image tensors.
 */
export class TranslationContext {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxInitializer[] = [];
  /** Domains the emitted nodes use besides the default one, with their opset. */
  readonly domains = new Map<string, number>();
  private readonly names: Set<string>;

  constructor(names?: Set<string>) {
    // A subgraph shares its parent's names: ONNX scopes do not allow shadowing.
    this.names = names ?? new Set();
  }

  /** A name no other value of the model has, from `hint`. */
  fresh(hint: string): string {
    const base = hint.replace(/[^A-Za-z0-9_./:-]/g, '_') || 'v';
    let name = base;
    for (let k = 1; this.names.has(name); k++) name = `${base}__${k}`;
    this.names.add(name);
    return name;
  }

  /** Emits one node; answers its output names. */
  emit(spec: EmitSpec, hint = spec.op.toLowerCase()): string[] {
    const outputs = Array.from({ length: spec.outputs ?? 1 }, (_, i) =>
      this.fresh(i === 0 ? hint : `${hint}:${i}`),
    );
    this.nodes.push({
      op: spec.op,
      inputs: spec.inputs,
      outputs,
      ...(spec.attributes ? { attributes: spec.attributes } : {}),
      ...(spec.domain ? { domain: spec.domain } : {}),
    });
    return outputs;
  }

  /** Emits a one-output node and answers its output name. */
  emit1(spec: EmitSpec, hint?: string): string {
    return this.emit(spec, hint)[0]!;
  }

  /** A computed value held by the ONNX value `name`. */
  value(name: string, dtype: string, shape: readonly Dim[] | undefined): TfValue {
    return { dtype, ...(shape ? { shape } : {}), name: () => name };
  }

  /** A constant; its initializer is written only when something emitted uses it. */
  constant(tensor: HostTensor, hint = 'const'): TfValue {
    let name: string | undefined;
    return {
      dtype: tensor.dtype,
      shape: tensor.shape,
      constant: tensor,
      name: () => {
        if (name === undefined) {
          if (onnxType(tensor.dtype) === undefined) {
            throw new Untranslatable('Const', `dtype ${tensor.dtype} has no ONNX type`);
          }
          name = this.fresh(hint);
          this.initializers.push(toInitializer(name, tensor));
        }
        return name;
      },
    };
  }

  /** An int64 constant, as ONNX's shape, axis and index inputs take them. */
  int64(values: readonly number[], shape: readonly number[] = [values.length]): string {
    return this.constant(hostTensor('DT_INT64', shape, values), 'i64').name();
  }

  /** A value computed in NCHW only; its NHWC name is made on first use. */
  nchwValue(nchw: string, dtype: string, nhwcShape: readonly Dim[] | undefined): TfValue {
    let nhwc: string | undefined;
    return {
      dtype,
      ...(nhwcShape ? { shape: nhwcShape } : {}),
      nchw,
      name: () => {
        nhwc ??= this.emit1(
          { op: 'Transpose', inputs: [nchw], attributes: { perm: [...TO_NHWC] } },
          'to_nhwc',
        );
        return nhwc;
      },
    };
  }

  /** The NCHW form of a 4-D NHWC value (its twin, or a `Transpose` made once). */
  toNchw(value: TfValue): string {
    value.nchw ??= this.emit1(
      { op: 'Transpose', inputs: [value.name()], attributes: { perm: [...TO_NCHW] } },
      'to_nchw',
    );
    return value.nchw;
  }

  /** NHWC dimensions of an NCHW shape, and the reverse. */
  static nchwShape(nhwc: readonly Dim[] | undefined) {
    return permuted(nhwc, TO_NCHW);
  }

  /** Marks a domain (e.g. `ai.onnx.ml` for `LabelEncoder`) as used by the model. */
  useDomain(domain: string, opset: number): void {
    this.domains.set(domain, Math.max(opset, this.domains.get(domain) ?? 0));
  }

  /**
   * A subgraph for a `Loop` or `If` attribute: `build` emits into a child context sharing this
   * one's names (its nodes may use outer values by name) and answers the body's outputs.
   */
  subgraph(
    inputs: readonly OnnxValue[],
    build: (body: TranslationContext) => readonly { name: string; type: number }[],
    name = 'body',
  ): OnnxGraph {
    const body = new TranslationContext(this.names);
    const outputs = build(body);
    for (const [domain, opset] of body.domains) this.useDomain(domain, opset);
    return {
      name: this.fresh(name),
      inputs,
      outputs: outputs.map(({ name: out, type }) => ({ name: out, type })),
      nodes: body.nodes,
      initializers: body.initializers,
    };
  }
}
