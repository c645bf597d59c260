import { type GraphModel } from '@tensorflow/tfjs-converter';
import { InvalidInputError } from '../../errors/invalid-input.error.js';
import { UnimplementedError } from '../../errors/unimplemented.error.js';
import { TfjsGraphExecutor } from '../tfjs/tfjs-graph.executor.js';
import { type SignatureDef, type SignatureMap } from '../../models/signature.js';
import { isStringData, type TensorData } from '../../tensor/tensor-data.js';
import { type ExampleParsingSpec } from './example-parsing.js';

/**
 * Parses a batch of serialized `tf.Example`s into one tensor per dense feature of `spec`
 * (in its order, batch dimension first), as the graph's parse op would.
 * @publicApi
 */
export type ExampleParser = (
  serialized: readonly Uint8Array[],
  spec: ExampleParsingSpec,
) => TensorData[] | Promise<TensorData[]>;

/** What a SavedModel executor knows of its signatures beyond their defs, on any engine. */
export interface SavedModelSignatureRoutes {
  /** Why a signature cannot run, by signature. */
  readonly unavailable: ReadonlyMap<string, string>;
  /** How signatures that parse tf.Examples in the graph parse them. */
  readonly parsing: ReadonlyMap<string, ExampleParsingSpec>;
  readonly parser?: ExampleParser;
}

/**
 * The post-parse half's inputs of a parsing signature: `dense_<k>` for the k-th dense feature.
 * @throws UnimplementedError when `signature` does not parse tf.Examples; InvalidInputError
 * when the count differs from its dense features.
 */
export function parsedInputs(
  routes: SavedModelSignatureRoutes,
  signature: string,
  dense: readonly TensorData[],
): Record<string, TensorData> {
  const spec = routes.parsing.get(signature);
  if (!spec) throw new UnimplementedError(`signature '${signature}' does not parse tf.Examples`);
  if (dense.length !== spec.dense.length) {
    throw new InvalidInputError(
      `signature '${signature}' parses ${spec.dense.length} dense features, ${dense.length} were given`,
    );
  }
  return Object.fromEntries(dense.map((tensor, k) => [`dense_${k}`, tensor]));
}

/**
 * How a SavedModel signature runs on any engine: serialized tf.Examples to a parsing signature
 * (with a parser) are parsed here and run from the parse op on (`runParsed`); a signature that
 * cannot run answers UNIMPLEMENTED; anything else runs as given (`runPlain`).
 */
export async function routeSavedModelRun(
  routes: SavedModelSignatureRoutes,
  signature: string,
  inputs: Readonly<Record<string, TensorData>>,
  runParsed: (dense: readonly TensorData[]) => Promise<Record<string, TensorData>>,
  runPlain: () => Promise<Record<string, TensorData>>,
): Promise<Record<string, TensorData>> {
  const spec = routes.parsing.get(signature);
  const [serialized, ...others] = Object.values(inputs);
  if (spec && routes.parser && serialized && others.length === 0 && isStringData(serialized.data)) {
    return runParsed(await routes.parser(serialized.data, spec));
  }
  const reason = routes.unavailable.get(signature);
  if (reason !== undefined) throw new UnimplementedError(reason);
  return runPlain();
}

/** Key under which a parsing signature's post-parse half is run (not enumerable). */
const parsedKey = (signature: string) => `\u0000parsed:${signature}`;

function withParsedHalves(
  signatures: SignatureMap,
  parsing: ReadonlyMap<string, ExampleParsingSpec>,
): SignatureMap {
  const all: Record<string, SignatureDef> = { ...signatures };
  for (const [key, spec] of parsing) {
    const def: SignatureDef = {
      methodName: signatures[key]?.methodName ?? '',
      inputs: Object.fromEntries(
        spec.dense.map((d, k) => [`dense_${k}`, { name: d.tensor, dtype: 'float32' as const }]),
      ),
      outputs: signatures[key]?.outputs ?? {},
    };
    Object.defineProperty(all, parsedKey(key), { value: def, enumerable: false });
  }
  return all;
}

/**
 * A SavedModel served from its TensorFlow.js translation: every signature feeds and fetches
 * graph tensors by name. Signatures that parse `tf.Example`s in the graph run from the parse
 * op on: `runParsed` takes the parsed dense features, and `run` parses the serialized
 * examples itself when the loader was given an `ExampleParser`. Signatures that cannot run
 * (the init op, unsupported tensors) stay in the metadata and answer UNIMPLEMENTED.
 */
export class SavedModelExecutor extends TfjsGraphExecutor implements SavedModelSignatureRoutes {
  constructor(
    model: GraphModel,
    signatures: SignatureMap,
    readonly unavailable: ReadonlyMap<string, string>,
    readonly parsing: ReadonlyMap<string, ExampleParsingSpec> = new Map(),
    readonly parser?: ExampleParser,
    /** Why the version runs here rather than on ONNX Runtime, if it could have. */
    override readonly engineNote?: string,
  ) {
    super(model, withParsedHalves(signatures, parsing));
  }

  /** How `signature` parses tf.Examples, when its graph does. */
  exampleParsing(signature: string): ExampleParsingSpec | undefined {
    return this.parsing.get(signature);
  }

  /**
   * Runs a signature that parses tf.Examples from already parsed dense features, one tensor
   * per entry of `exampleParsing(signature).dense`, in that order.
   */
  async runParsed(
    signature: string,
    dense: readonly TensorData[],
    outputs?: readonly string[],
  ): Promise<Record<string, TensorData>> {
    return super.run(parsedKey(signature), parsedInputs(this, signature, dense), outputs);
  }

  override run(
    signature: string,
    inputs: Readonly<Record<string, TensorData>>,
    outputs?: readonly string[],
  ): Promise<Record<string, TensorData>> {
    return routeSavedModelRun(
      this,
      signature,
      inputs,
      (dense) => this.runParsed(signature, dense, outputs),
      () => super.run(signature, inputs, outputs),
    );
  }
}
