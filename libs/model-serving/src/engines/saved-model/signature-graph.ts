import { GrpcStatusCode } from '../../errors/grpc-status-code.js';
import { ModelLoadError } from '../../errors/model-load.error.js';
import { type SignatureDef, type SignatureMap, type TensorSpec } from '../../models/signature.js';
import { TF_DTYPE_NAMES } from '../../tensor/tensor-data.js';
import {
  type DescribedParsing,
  describeExampleParsing,
  type ExampleParsingSpec,
} from './example-parsing.js';
import { dataInputs, formatRef, type GraphNode, type NodeMap, parseRef } from './graph-node.js';
import { VARIABLE_OPS } from './restore-map.js';

/** Ops that decode `tf.Example` protos in the graph. */
const EXAMPLE_PARSING_OPS = new Set([
  'ParseExample',
  'ParseExampleV2',
  'ParseSingleExample',
  'ParseSequenceExample',
  'ParseSequenceExampleV2',
  'ParseSingleSequenceExample',
]);
/** The ones whose dense outputs can be fed from examples parsed outside the graph. */
const CUTTABLE_PARSERS = new Set(['ParseExample', 'ParseExampleV2']);

/** What running the servable signatures needs, and what keeps others from running. */
export interface SignatureGraph {
  /** The nodes every kept signature needs, cut at their inputs, without control inputs. */
  readonly nodes: NodeMap;
  /** Signature key → why `run` cannot serve it (UNIMPLEMENTED). */
  readonly unavailable: Map<string, string>;
  /** Signature key → how it parses tf.Examples (its graph is kept from the parse op on). */
  readonly parsing: Map<string, ExampleParsingSpec>;
  /** Ops neither TensorFlow.js nor a registered custom op runs → signatures needing them. */
  readonly unsupportedOps: Map<string, string[]>;
  /** Variables without a checkpoint value → signatures needing them. */
  readonly unrestoredVariables: Map<string, string[]>;
}

function missing(what: string): ModelLoadError {
  return new ModelLoadError(`${what}, which the graph lacks`, GrpcStatusCode.DATA_LOSS);
}

function note(map: Map<string, string[]>, key: string, signature: string): void {
  const list = map.get(key) ?? [];
  if (!list.includes(signature)) list.push(signature);
  map.set(key, list);
}

/** Nodes from the outputs back to fed nodes and parse ops, over data inputs. */
function walk(nodes: NodeMap, key: string, signature: SignatureDef, fed: ReadonlySet<string>) {
  const used = new Set<string>();
  const parsers: GraphNode[] = [];
  const stack: string[] = [];
  for (const [alias, spec] of Object.entries(signature.outputs)) {
    const node = parseRef(spec.name).node;
    if (!nodes.has(node))
      throw missing(`signature '${key}' output '${alias}' is tensor '${spec.name}'`);
    stack.push(node);
  }
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (used.has(name)) continue;
    used.add(name);
    if (fed.has(name)) continue;
    const node = nodes.get(name)!;
    if (EXAMPLE_PARSING_OPS.has(node.op)) {
      parsers.push(node);
      continue;
    }
    for (const ref of dataInputs(node)) {
      const input = parseRef(ref).node;
      if (!nodes.has(input)) {
        throw missing(`node '${name}' takes input '${ref}' (saved_model.pb may be truncated)`);
      }
      stack.push(input);
    }
  }
  return { used, parsers };
}

/** The parse spec of a signature, or why its parsing cannot be done outside the graph. */
function parsingOf(
  nodes: NodeMap,
  parsers: GraphNode[],
  used: Set<string>,
): DescribedParsing | string {
  const [parser] = parsers;
  if (parsers.length > 1 || !parser || !CUTTABLE_PARSERS.has(parser.op)) {
    return [...new Set(parsers.map((p) => p.op))].join(', ');
  }
  const described = describeExampleParsing(nodes, parser);
  if (typeof described === 'string') return `${parser.op}: ${described}`;
  const dense = new Set(described.outputs);
  for (const name of used) {
    for (const ref of dataInputs(nodes.get(name)!)) {
      const { node, index } = parseRef(ref);
      if (node === parser.name && !dense.has(`${node}:${index}`)) {
        return `${parser.op} with sparse or ragged features (${described.spec.sparseKeys.join(', ')}) at ${formatRef(node, index)}`;
      }
    }
  }
  return described;
}

/**
 * Cuts and prunes the graph per signature: from its outputs back to its inputs (a fed tensor
 * is a dead end even when the graph computes it, e.g. a TF1 input that is an `Identity` of
 * `ParseExample`), over data inputs only. A `ParseExample(V2)` is a cut too: its dense outputs
 * are fed with examples parsed outside the graph. Signatures that cannot run are set aside;
 * the rest are checked for unsupported ops and unrestored variables and merged into one
 * graph. A fed node no kept signature computes becomes a shapeless `Placeholder`.
 * @throws ModelLoadError (DATA_LOSS) when a signature or node refers to a missing node
 */
export function buildSignatureGraph(
  nodes: NodeMap,
  signatures: SignatureMap,
  unavailableSpecs: ReadonlyMap<string, string>,
  isSupported: (op: string) => boolean,
): SignatureGraph {
  const unavailable = new Map(unavailableSpecs);
  const parsing = new Map<string, ExampleParsingSpec>();
  const unsupportedOps = new Map<string, string[]>();
  const unrestoredVariables = new Map<string, string[]>();
  const interior = new Set<string>();
  const fedSpecs = new Map<string, TensorSpec>();
  // A parse op's dense outputs become placeholders (tfjs cannot feed two outputs of one node).
  const parsedOutputs = new Map<string, string>();
  const parsedTypes = new Map<string, string>();
  for (const [key, signature] of Object.entries(signatures)) {
    if (unavailable.has(key)) continue;
    const fed = new Map<string, TensorSpec>();
    for (const [alias, spec] of Object.entries(signature.inputs)) {
      const node = parseRef(spec.name).node;
      if (!nodes.has(node))
        throw missing(`signature '${key}' input '${alias}' is tensor '${spec.name}'`);
      fed.set(node, spec);
    }
    const { used, parsers } = walk(nodes, key, signature, new Set(fed.keys()));
    if (parsers.length > 0) {
      const described = parsingOf(nodes, parsers, used);
      const ops = typeof described === 'string' ? described : described.spec.op;
      unavailable.set(
        key,
        `signature '${key}' parses tf.Example protos in the graph (${ops}), which is not supported yet`,
      );
      if (typeof described === 'string') continue;
      parsing.set(key, described.spec);
      described.spec.dense.forEach((d, k) => {
        parsedOutputs.set(described.outputs[k]!, d.tensor);
        parsedTypes.set(d.tensor, d.tfDtype);
      });
      used.delete(described.spec.node);
    }
    for (const name of used) {
      if (fed.has(name)) continue;
      const op = nodes.get(name)!.op;
      if (VARIABLE_OPS.has(op)) note(unrestoredVariables, name, key);
      else if (!isSupported(op)) note(unsupportedOps, op, key);
      interior.add(name);
    }
    for (const [name, spec] of fed) if (!fedSpecs.has(name)) fedSpecs.set(name, spec);
  }
  const kept: NodeMap = new Map();
  for (const name of interior) {
    const node = nodes.get(name)!;
    const input = dataInputs(node).map((ref) => {
      const { node: from, index } = parseRef(ref);
      return parsedOutputs.get(`${from}:${index}`) ?? ref;
    });
    const copy: GraphNode = { ...node, input, attr: { ...node.attr } };
    if (fedSpecs.has(name) && (node.op === 'Placeholder' || node.op === 'PlaceholderWithDefault')) {
      delete copy.attr['shape'];
    }
    kept.set(name, copy);
  }
  const placeholder = (name: string, type: string): GraphNode => ({
    name,
    op: 'Placeholder',
    input: [],
    attr: { dtype: { type } },
  });
  for (const [name, spec] of fedSpecs) {
    if (!kept.has(name))
      kept.set(name, placeholder(name, spec.tfDtype ?? TF_DTYPE_NAMES[spec.dtype]));
  }
  for (const [name, type] of parsedTypes) kept.set(name, placeholder(name, type));
  return { nodes: kept, unavailable, parsing, unsupportedOps, unrestoredVariables };
}
