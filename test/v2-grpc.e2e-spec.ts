import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { type INestApplication } from '@nestjs/common';
import { ModelRegistry } from 'nest-model-serving';
import { call, callError, makeClient, REFERENCE_PROTOS } from './helpers/grpc-client.js';
import { irisMath } from './helpers/iris-math.js';
import { writeMixedDtypesModel } from './helpers/mixed-dtypes-model.js';
import { copySampleVersion, tempDir } from './helpers/model-dirs.js';
import { describeIfPresent, ROOT, SAMPLE_MODELS } from './helpers/paths.js';
import { startServingApp } from './helpers/serving-app.js';

const OPEN_INFERENCE = join(REFERENCE_PROTOS, 'open_inference');
const VERSION = (
  JSON.parse(readFileSync(join(ROOT, 'libs/model-serving/package.json'), 'utf8')) as {
    version: string;
  }
).version;

const fp32 = (name: string, values: number[], shape = [values.length]) => ({
  name,
  datatype: 'FP32',
  shape,
  contents: { fp32_contents: values },
});

/** Triton's raw BYTES layout: each element a 4-byte little-endian length, then its bytes. */
function rawStrings(items: string[]): Buffer {
  return Buffer.concat(
    items.flatMap((s) => {
      const bytes = Buffer.from(s, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32LE(bytes.length);
      return [length, bytes];
    }),
  );
}

describeIfPresent(OPEN_INFERENCE)(
  'Open Inference Protocol gRPC (client built from the reference proto)',
  () => {
    let app: INestApplication;
    let client: ReturnType<typeof makeClient>;
    let late: { path: string; cleanup: () => Promise<void> };
    let mixed: { path: string; cleanup: () => Promise<void> };

    beforeAll(async () => {
      late = await tempDir('v2-grpc-late');
      mixed = await tempDir('v2-grpc-mixed');
      await writeMixedDtypesModel(join(mixed.path, '1'));
      let address: string | undefined;
      ({ app, grpcAddress: address } = await startServingApp(
        {
          pollIntervalMs: 0,
          models: [
            { name: 'half_plus_two', basePath: join(SAMPLE_MODELS, 'half_plus_two') },
            {
              name: 'iris',
              basePath: join(SAMPLE_MODELS, 'iris'),
              versionPolicy: { all: true },
              versionLabels: { stable: 2, old: 1 },
            },
            { name: 'mixed', basePath: mixed.path },
            { name: 'late', basePath: late.path },
          ],
        },
        'express',
        { grpc: true },
      ));
      client = makeClient(
        OPEN_INFERENCE,
        ['open_inference_grpc.proto'],
        'inference.GRPCInferenceService',
        address!,
      );
    });

    afterAll(async () => {
      client?.close();
      await app?.close();
      await late?.cleanup();
      await mixed?.cleanup();
    });

    it('is live at once, and ready only when every model has an available version', async () => {
      expect(await call(client, 'ServerLive', {})).toEqual({ live: true });
      expect(await call(client, 'ServerReady', {})).toEqual({ ready: false });
      expect(await call(client, 'ModelReady', { name: 'late' })).toEqual({ ready: false });
      await copySampleVersion('half_plus_two', 1, join(late.path, '4'));
      await app.get(ModelRegistry).poll();
      expect(await call(client, 'ServerReady', {})).toEqual({ ready: true });
      expect(await call(client, 'ModelReady', { name: 'late', version: '4' })).toEqual({
        ready: true,
      });
    });

    it('reports model readiness by version and label', async () => {
      for (const version of ['', '1', '2', 'old', 'stable']) {
        expect(await call(client, 'ModelReady', { name: 'iris', version })).toEqual({
          ready: true,
        });
      }
    });

    it('answers server and model metadata', async () => {
      expect(await call(client, 'ServerMetadata', {})).toEqual({
        name: 'nest-model-serving',
        version: VERSION,
        extensions: [],
      });
      expect(await call(client, 'ModelMetadata', { name: 'half_plus_two' })).toEqual({
        name: 'half_plus_two',
        versions: ['1'],
        platform: 'tensorflowjs',
        inputs: [{ name: 'x', datatype: 'FP32', shape: ['-1'] }],
        outputs: [{ name: 'y', datatype: 'FP32', shape: ['-1'] }],
        properties: {},
      });
      expect(await call(client, 'ModelMetadata', { name: 'iris', version: '1' })).toMatchObject({
        versions: ['1', '2'],
        inputs: [{ name: 'features', datatype: 'FP32', shape: ['-1', '4'] }],
        outputs: [{ name: 'probabilities', datatype: 'FP32', shape: ['-1', '3'] }],
      });
    });

    it('computes 0.5x + 2 from typed and from raw contents, echoing the id', async () => {
      const xs = [1, 2, 5, -3, 0.2];
      const typed = await call(client, 'ModelInfer', {
        model_name: 'half_plus_two',
        id: 'abc',
        inputs: [fp32('x', xs)],
      });
      expect(typed).toMatchObject({
        model_name: 'half_plus_two',
        model_version: '1',
        id: 'abc',
        raw_output_contents: [],
      });
      expect(typed.outputs).toEqual([
        expect.objectContaining({
          name: 'y',
          datatype: 'FP32',
          shape: ['5'],
          contents: expect.objectContaining({
            fp32_contents: xs.map((x) => Math.fround(0.5 * Math.fround(x) + 2)),
          }),
        }),
      ]);
      const raw = await call(client, 'ModelInfer', {
        model_name: 'half_plus_two',
        model_version: '1',
        inputs: [{ name: 'x', datatype: 'FP32', shape: [2] }],
        raw_input_contents: [Buffer.from(Float32Array.from([4, -2]).buffer)],
      });
      expect(raw.id).toBe('');
      expect(raw.outputs[0].contents.fp32_contents).toEqual([4, 1]);
    });

    it('runs iris by version and label and matches the network math', async () => {
      const rows = [
        [5.1, 3.5, 1.4, 0.2],
        [6.3, 2.8, 5.1, 1.5],
      ];
      for (const [model_version, version] of [
        ['', 2],
        ['1', 1],
        ['old', 1],
        ['stable', 2],
      ] as const) {
        const res = await call(client, 'ModelInfer', {
          model_name: 'iris',
          model_version,
          inputs: [fp32('features', rows.flat(), [2, 4])],
        });
        expect(res.model_version).toBe(String(version));
        expect(res.outputs[0].shape).toEqual(['2', '3']);
        const expected = irisMath(version, rows).flat();
        (res.outputs[0].contents.fp32_contents as number[]).forEach((p, i) =>
          expect(p).toBeCloseTo(expected[i]!, 5),
        );
      }
    });

    it('maps INT32, BOOL, FP32 and BYTES in typed and raw contents, and filters outputs', async () => {
      const typed = await call(client, 'ModelInfer', {
        model_name: 'mixed',
        inputs: [
          { name: 'count', datatype: 'INT32', shape: [2], contents: { int_contents: [41, -1] } },
          {
            name: 'flag',
            datatype: 'BOOL',
            shape: [2],
            contents: { bool_contents: [true, false] },
          },
          fp32('value', [1.25, -3]),
          {
            name: 'blob',
            datatype: 'BYTES',
            shape: [2],
            contents: { bytes_contents: [Buffer.from('héllo'), Buffer.from('plain')] },
          },
        ],
      });
      const raw = await call(client, 'ModelInfer', {
        model_name: 'mixed',
        inputs: ['count', 'flag', 'value', 'blob'].map((name, i) => ({
          name,
          datatype: ['INT32', 'BOOL', 'FP32', 'BYTES'][i],
          shape: [2],
        })),
        raw_input_contents: [
          Buffer.from(Int32Array.from([41, -1]).buffer),
          Buffer.from([1, 0]),
          Buffer.from(Float32Array.from([1.25, -3]).buffer),
          rawStrings(['héllo', 'plain']),
        ],
        outputs: [
          { name: 'blob_bytes' },
          { name: 'count_out' },
          { name: 'flag_out' },
          { name: 'value_out' },
        ],
      });
      const read = (res: any) =>
        Object.fromEntries(
          res.outputs.map((o: any) => {
            const c = o.contents;
            const values = [
              c.int_contents,
              c.bool_contents,
              c.fp32_contents,
              c.bytes_contents.map((b: Buffer) => b.toString()),
            ].find((v) => v.length);
            return [o.name, [o.datatype, values]];
          }),
        );
      const expected = {
        count_out: ['INT32', [42, 0]],
        flag_out: ['BOOL', [false, true]],
        value_out: ['FP32', [2.5, -6]],
        blob_bytes: ['BYTES', ['héllo', 'plain']],
      };
      expect(read(typed)).toEqual(expected);
      expect(read(raw)).toEqual(expected);
      expect(raw.outputs.map((o: any) => o.name)).toEqual([
        'blob_bytes',
        'count_out',
        'flag_out',
        'value_out',
      ]);
    });

    describe('errors', () => {
      const x = [fp32('x', [1, 2])];
      const cases: [string, object, number, RegExp][] = [
        ['an unknown model', { model_name: 'nope', inputs: x }, GrpcStatus.NOT_FOUND, /nope/],
        [
          'an unknown version',
          { model_name: 'half_plus_two', model_version: '9', inputs: x },
          GrpcStatus.NOT_FOUND,
          /half_plus_two, 9/,
        ],
        [
          'an unknown label',
          { model_name: 'iris', model_version: 'newest', inputs: x },
          GrpcStatus.NOT_FOUND,
          /newest/,
        ],
        ['no model name', { inputs: x }, GrpcStatus.INVALID_ARGUMENT, /no model/],
        [
          'FP64 data for an FP32 input',
          {
            model_name: 'half_plus_two',
            inputs: [{ name: 'x', datatype: 'FP64', shape: [1], contents: { fp64_contents: [1] } }],
          },
          GrpcStatus.INVALID_ARGUMENT,
          /expects datatype FP32, got FP64/,
        ],
        [
          'values in the wrong field',
          {
            model_name: 'half_plus_two',
            inputs: [{ name: 'x', datatype: 'FP32', shape: [1], contents: { fp64_contents: [1] } }],
          },
          GrpcStatus.INVALID_ARGUMENT,
          /fp32_contents, not fp64_contents/,
        ],
        [
          'too few values',
          { model_name: 'half_plus_two', inputs: [fp32('x', [1, 2], [3])] },
          GrpcStatus.INVALID_ARGUMENT,
          /needs 3 values, got 2/,
        ],
        [
          'raw content of the wrong size',
          {
            model_name: 'half_plus_two',
            inputs: [{ name: 'x', datatype: 'FP32', shape: [2] }],
            raw_input_contents: [Buffer.alloc(4)],
          },
          GrpcStatus.INVALID_ARGUMENT,
          /holds 4 bytes.*needs 8/,
        ],
        [
          'raw contents for some inputs only',
          {
            model_name: 'mixed',
            inputs: [fp32('value', [1]), fp32('x', [1])],
            raw_input_contents: [Buffer.alloc(4)],
          },
          GrpcStatus.INVALID_ARGUMENT,
          /1 entries for 2 inputs/,
        ],
        [
          'raw and typed contents together',
          {
            model_name: 'half_plus_two',
            inputs: [fp32('x', [1])],
            raw_input_contents: [Buffer.alloc(4)],
          },
          GrpcStatus.INVALID_ARGUMENT,
          /contents must be empty/,
        ],
        [
          'no inputs',
          { model_name: 'half_plus_two', inputs: [] },
          GrpcStatus.INVALID_ARGUMENT,
          /Missing but required: \{x\}/,
        ],
        [
          'an unknown output',
          { model_name: 'half_plus_two', inputs: x, outputs: [{ name: 'nope' }] },
          GrpcStatus.INVALID_ARGUMENT,
          /^output tensor alias not found in signature: nope Outputs expected to be in the set \{y\}\.$/,
        ],
      ];

      it.each(cases)('answers %s with its status code', async (_name, request, code, details) => {
        const error = await callError(client, 'ModelInfer', request);
        expect(error.code).toBe(code);
        expect(error.details).toMatch(details);
      });

      it('answers NOT_FOUND for metadata and readiness of unknown models and versions', async () => {
        for (const method of ['ModelMetadata', 'ModelReady']) {
          expect((await callError(client, method, { name: 'nope' })).code).toBe(
            GrpcStatus.NOT_FOUND,
          );
          expect((await callError(client, method, { name: 'iris', version: '7' })).code).toBe(
            GrpcStatus.NOT_FOUND,
          );
        }
      });
    });
  },
);
