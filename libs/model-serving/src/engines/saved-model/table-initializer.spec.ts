import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import { writeHashTableSavedModel } from '../../../../../test/helpers/saved-model-writer/hash-table-export.js';
import { tf2HashTableGraph } from '../../../../../test/helpers/saved-model-writer/hash-table-graphs.js';
import { encodeSavedModel } from '../../../../../test/helpers/saved-model-writer/saved-model-pb.js';
import { GrpcStatusCode } from '../../errors/grpc-status-code.js';
import { ModelServingError } from '../../errors/model-serving.error.js';
import { type TensorData } from '../../tensor/tensor-data.js';
import { type LoadContext } from '../../models/model.loader.js';
import { SavedModelLoader } from './saved-model.loader.js';
import { type GraphNode, type NodeMap } from './graph-node.js';
import { initOpRoots } from './table-initializer.js';
import { type MetaGraphDefMsg } from './tf-messages.js';
import { toTfjsGraph } from './tfjs-graph.js';

const words = (...list: string[]): TensorData => ({
  dtype: 'string',
  shape: [list.length],
  data: list.map((w) => new TextEncoder().encode(w)),
});

const stringsConst = (name: string): GraphNode => ({
  name,
  op: 'Const',
  input: [],
  attr: {
    dtype: { type: 'DT_STRING' },
    value: {
      tensor: {
        dtype: 'DT_STRING',
        tensorShape: { dim: [{ size: '1' }] },
        stringVal: [Uint8Array.of(97)],
      },
    },
  },
});
const graphNode = (name: string, op: string, input: string[] = []): GraphNode => ({
  name,
  op,
  input,
  attr: {},
});

describe('toTfjsGraph with a table initializer', () => {
  it('emits the modelInitializer, its outputs, and one weight per constant name', () => {
    const table = graphNode('table', 'HashTableV2');
    const nodes: NodeMap = new Map(
      [table, stringsConst('keys'), graphNode('find', 'LookupTableFindV2', ['table', 'keys'])].map(
        (n) => [n.name, n],
      ),
    );
    const initializer: NodeMap = new Map(
      [
        table,
        stringsConst('keys'),
        graphNode('fill', 'LookupTableImportV2', ['table', 'keys']),
      ].map((n) => [n.name, n]),
    );
    const graph = toTfjsGraph(nodes, new Map(), {}, () => undefined, {
      nodes: initializer,
      outputs: ['fill'],
    });
    expect(graph.weightSpecs.map((w) => w.name)).toEqual(['keys']);
    expect(graph.modelInitializer?.node.map((n) => (n as { name: string }).name)).toEqual([
      'table',
      'keys',
      'fill',
    ]);
    expect(graph.initializerSignature).toEqual({ outputs: { fill: { name: 'fill' } } });
    expect(toTfjsGraph(nodes, new Map(), {}, () => undefined).modelInitializer).toBeUndefined();
  });
});

describe('lookup tables filled by the init op', () => {
  let dir: string;
  const context = async (sub: string): Promise<LoadContext> => {
    const directory = join(dir, sub);
    return {
      modelName: sub,
      version: 1,
      directory,
      files: await readdir(directory),
      backend: 'cpu',
      // The TensorFlow.js initializer is under test (tf-onnx/ops/lookup-table.ops.spec.ts
      // checks the translated tables).
      engine: 'tfjs',
    };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hash-table-'));
    await writeHashTableSavedModel(join(dir, 'tf1'), { style: 'tf1' });
    await writeHashTableSavedModel(join(dir, 'tf2'), { style: 'tf2' });
    await writeHashTableSavedModel(join(dir, 'file'), {
      style: 'tf2',
      filler: 'InitializeTableFromTextFileV2',
    });
    const unfilled = tf2HashTableGraph() as { signatureDef: Record<string, unknown> };
    delete unfilled.signatureDef['__saved_model_init_op'];
    await mkdir(join(dir, 'unfilled'));
    await writeFile(join(dir, 'unfilled', 'saved_model.pb'), encodeSavedModel(unfilled));
    // The init function is missing: an error only when a served signature needs the table.
    for (const [sub, servesTable] of [
      ['broken-init', true],
      ['broken-init-unused', false],
    ] as const) {
      const graph = tf2HashTableGraph() as {
        graphDef: {
          node: object[];
          library: { function: { signature: { name: string } }[] };
        };
        signatureDef: Record<string, unknown>;
      };
      graph.graphDef.library.function = graph.graphDef.library.function.filter(
        (fn) => fn.signature.name !== '__inference__initializer_40',
      );
      if (!servesTable) {
        graph.graphDef.node.push({
          name: 'echo',
          op: 'Identity',
          input: ['serving_default_word'],
          attr: { T: { type: 'DT_STRING' } },
        });
        graph.signatureDef = {
          serving_default: {
            inputs: { word: { name: 'serving_default_word:0', dtype: 'DT_STRING' } },
            outputs: { echo: { name: 'echo:0', dtype: 'DT_STRING' } },
            methodName: 'tensorflow/serving/predict',
          },
        };
      }
      await mkdir(join(dir, sub));
      await writeFile(join(dir, sub, 'saved_model.pb'), encodeSavedModel(graph));
    }
  });

  const loadError = async (sub: string): Promise<ModelServingError> => {
    const error = await new SavedModelLoader().load(await context(sub)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ModelServingError);
    return error as ModelServingError;
  };

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds the init op in the TF2 signature and in the TF1 collections', () => {
    expect(initOpRoots(tf2HashTableGraph() as MetaGraphDefMsg)).toEqual(['NoOp']);
    expect(
      initOpRoots({
        collectionDef: {
          legacy_init_op: { nodeList: { value: ['legacy_init_op'] } },
          saved_model_main_op: { nodeList: { value: ['main_op:0'] } },
        },
      }),
    ).toEqual(['main_op', 'legacy_init_op']);
  });

  it.each([['tf1'], ['tf2']])(
    'looks words up in a %s export (default for the rest)',
    async (style) => {
      const executor = await new SavedModelLoader().load(await context(style));
      try {
        const ids = await executor.run('serving_default', { word: words('b', 'zzz', 'a') });
        expect(ids['ids']?.dtype).toBe('int32');
        expect([...(ids['ids']?.data as Int32Array)]).toEqual([20, -1, 10]);
        const doubled = await executor.run('doubled', { word: words('c', 'b') });
        expect([...(doubled['doubled']?.data as Int32Array)]).toEqual([60, 40]);
        // The table stays filled across requests.
        const again = await executor.run('serving_default', { word: words('c') });
        expect([...(again['ids']?.data as Int32Array)]).toEqual([30]);
        expect(executor.signatures['serving_default']?.inputs['word']?.dtype).toBe('string');
        expect(executor.signatures['serving_default']?.outputs['ids']?.dtype).toBe('int64');
      } finally {
        await executor.dispose();
      }
    },
  );

  it('refuses tables filled from files with UNIMPLEMENTED, naming the op', async () => {
    const error = await loadError('file');
    expect(error.code).toBe(GrpcStatusCode.UNIMPLEMENTED);
    expect(error.message).toContain(
      "fills lookup tables from files (InitializeTableFromTextFileV2 'StatefulPartitionedCall_1/key_value_init/LookupTableImportV2')",
    );
  });

  it('refuses tables the init op does not fill, rather than answer the default', async () => {
    const error = await loadError('unfilled');
    expect(error.code).toBe(GrpcStatusCode.UNIMPLEMENTED);
    expect(error.message).toContain(
      "uses lookup tables the SavedModel's init op does not fill ('hash_table')",
    );
  });

  it('reports an unreadable init op only when a served signature needs its tables', async () => {
    const error = await loadError('broken-init');
    expect(error.message).toContain(
      "the init op cannot be read: node 'StatefulPartitionedCall_1' calls function '__inference__initializer_40'",
    );
    const executor = await new SavedModelLoader().load(await context('broken-init-unused'));
    await executor.dispose();
  });
});
