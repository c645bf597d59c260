import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { status as GrpcStatus } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import {
  call,
  callError,
  makeClient,
  predictionClient,
  REFERENCE_PROTOS,
} from './helpers/grpc-client.js';
import { writeMixedDtypesModel } from './helpers/mixed-dtypes-model.js';
import { tempDir } from './helpers/model-dirs.js';
import { describeIfPresent, SAMPLE_MODELS } from './helpers/paths.js';
import { type ServingApp, startServingApp } from './helpers/serving-app.js';

const MODEL = ['tensorflow_serving/apis/model_service.proto'];

const floats = (values: number[], shape = [values.length]) => ({
  dtype: 'DT_FLOAT',
  tensor_shape: { dim: shape.map((size) => ({ size })) },
  float_val: values,
});

describeIfPresent(REFERENCE_PROTOS)(
  'TF Serving gRPC API (client built from the reference protos)',
  () => {
    let serving: ServingApp;
    let base: { path: string; cleanup: () => Promise<void> };
    let prediction: ReturnType<typeof makeClient>;
    let model: ReturnType<typeof makeClient>;

    beforeAll(async () => {
      base = await tempDir('grpc-models');
      await cp(join(SAMPLE_MODELS, 'iris'), join(base.path, 'iris'), { recursive: true });
      await writeMixedDtypesModel(join(base.path, 'mixed', '1'));
      serving = await startServingApp(
        {
          pollIntervalMs: 0,
          models: [
            { name: 'half_plus_two', basePath: join(SAMPLE_MODELS, 'half_plus_two') },
            { name: 'mixed', basePath: join(base.path, 'mixed') },
            {
              name: 'iris',
              basePath: join(base.path, 'iris'),
              versionPolicy: { all: true },
              versionLabels: { stable: 2, old: 1 },
            },
          ],
        },
        'express',
        { grpc: true },
      );
      prediction = predictionClient(serving.grpcAddress!);
      model = makeClient(
        REFERENCE_PROTOS,
        MODEL,
        'tensorflow.serving.ModelService',
        serving.grpcAddress!,
      );
    });

    afterAll(async () => {
      prediction?.close();
      model?.close();
      await serving?.app.close();
      await base?.cleanup();
    });

    describe('Predict', () => {
      it('answers half_plus_two with float_val and echoes the resolved model spec', async () => {
        const res = await call(prediction, 'Predict', {
          model_spec: { name: 'half_plus_two' },
          inputs: { x: floats([1, 2, 5]) },
        });
        expect(res.outputs.y.dtype).toBe('DT_FLOAT');
        expect(res.outputs.y.float_val).toEqual([2.5, 3, 4.5]);
        expect(res.outputs.y.tensor_shape.dim.map((d: any) => d.size)).toEqual(['3']);
        expect(res.model_spec).toMatchObject({
          name: 'half_plus_two',
          version: { value: '1' },
          signature_name: 'serving_default',
        });
      });

      it('reads tensor_content as numpy arrays are sent, and broadcasts a single value', async () => {
        const content = Buffer.from(Float32Array.from([4, -2]).buffer);
        const res = await call(prediction, 'Predict', {
          model_spec: { name: 'half_plus_two' },
          inputs: {
            x: { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: 2 }] }, tensor_content: content },
          },
        });
        expect(res.outputs.y.float_val).toEqual([4, 1]);
        const broadcast = await call(prediction, 'Predict', {
          model_spec: { name: 'half_plus_two' },
          inputs: { x: floats([6], [3]) },
        });
        expect(broadcast.outputs.y.float_val).toEqual([5, 5, 5]);
      });

      it('selects versions by number and by label', async () => {
        const x = { features: floats([6.3, 2.8, 5.1, 1.5], [1, 4]) };
        const v1 = await call(prediction, 'Predict', {
          model_spec: { name: 'iris', version: { value: 1 } },
          inputs: x,
        });
        const old = await call(prediction, 'Predict', {
          model_spec: { name: 'iris', version_label: 'old' },
          inputs: x,
        });
        const latest = await call(prediction, 'Predict', {
          model_spec: { name: 'iris' },
          inputs: x,
        });
        expect(v1.model_spec.version.value).toBe('1');
        expect(old.model_spec.version.value).toBe('1');
        expect(latest.model_spec.version.value).toBe('2');
        expect(old.outputs.probabilities.float_val).toEqual(v1.outputs.probabilities.float_val);
        expect(latest.outputs.probabilities.float_val).not.toEqual(
          v1.outputs.probabilities.float_val,
        );
        const sum = (latest.outputs.probabilities.float_val as number[]).reduce((a, b) => a + b, 0);
        expect(sum).toBeCloseTo(1, 5);
      });

      it('carries int32, bool, float and string tensors both ways, typed and as tensor_content', async () => {
        const shape = { dim: [{ size: 2 }] };
        const res = await call(prediction, 'Predict', {
          model_spec: { name: 'mixed' },
          inputs: {
            count: { dtype: 'DT_INT32', tensor_shape: shape, int_val: [41, -1] },
            flag: { dtype: 'DT_BOOL', tensor_shape: shape, bool_val: [true, false] },
            value: {
              dtype: 'DT_FLOAT',
              tensor_shape: shape,
              tensor_content: Buffer.from(Float32Array.from([1.25, -3]).buffer),
            },
            blob: {
              dtype: 'DT_STRING',
              tensor_shape: shape,
              string_val: [Buffer.from('héllo'), Buffer.from([0, 255])],
            },
          },
        });
        expect(res.outputs.count_out).toMatchObject({ dtype: 'DT_INT32', int_val: [42, 0] });
        expect(res.outputs.flag_out).toMatchObject({ dtype: 'DT_BOOL', bool_val: [false, true] });
        expect(res.outputs.value_out).toMatchObject({ dtype: 'DT_FLOAT', float_val: [2.5, -6] });
        expect(res.outputs.blob_bytes.dtype).toBe('DT_STRING');
        expect(res.outputs.blob_bytes.string_val).toEqual([
          Buffer.from('héllo'),
          Buffer.from([0, 255]),
        ]);
      });

      it('honours output_filter on a model with four outputs, answering only those asked for', async () => {
        const shape = { dim: [{ size: 2 }] };
        const inputs = {
          count: { dtype: 'DT_INT32', tensor_shape: shape, int_val: [41, -1] },
          flag: { dtype: 'DT_BOOL', tensor_shape: shape, bool_val: [true, false] },
          value: { dtype: 'DT_FLOAT', tensor_shape: shape, float_val: [1.25, -3] },
          blob: { dtype: 'DT_STRING', tensor_shape: shape, string_val: [Buffer.from('a')] },
        };
        const res = await call(prediction, 'Predict', {
          model_spec: { name: 'mixed' },
          inputs,
          output_filter: ['value_out', 'count_out'],
        });
        expect(Object.keys(res.outputs).sort()).toEqual(['count_out', 'value_out']);
        expect(res.outputs.value_out).toMatchObject({ dtype: 'DT_FLOAT', float_val: [2.5, -6] });
        expect(res.outputs.count_out).toMatchObject({ dtype: 'DT_INT32', int_val: [42, 0] });
        const one = await call(prediction, 'Predict', {
          model_spec: { name: 'mixed' },
          inputs,
          output_filter: ['flag_out'],
        });
        expect(Object.keys(one.outputs)).toEqual(['flag_out']);
        expect(one.outputs.flag_out).toMatchObject({ dtype: 'DT_BOOL', bool_val: [false, true] });
        const unknown = await callError(prediction, 'Predict', {
          model_spec: { name: 'mixed' },
          inputs,
          output_filter: ['value_out', 'nope'],
        });
        // TF Serving's wording; the outputs are listed sorted, so the message is stable.
        expect(unknown).toEqual({
          code: GrpcStatus.INVALID_ARGUMENT,
          details:
            'output tensor alias not found in signature: nope Outputs expected to be in the set ' +
            '{blob_bytes,count_out,flag_out,value_out}.',
        });
      });

      it.each([
        [
          { model_spec: { name: 'nope' }, inputs: { x: floats([1]) } },
          GrpcStatus.NOT_FOUND,
          'Servable not found for request: Latest(nope)',
        ],
        [
          {
            model_spec: { name: 'half_plus_two', version: { value: 7 } },
            inputs: { x: floats([1]) },
          },
          GrpcStatus.NOT_FOUND,
          'Servable not found for request: Specific(half_plus_two, 7)',
        ],
        [
          { model_spec: { name: 'iris', version_label: 'gold' }, inputs: {} },
          GrpcStatus.INVALID_ARGUMENT,
          'Unrecognized servable version label: gold',
        ],
        [
          {
            model_spec: { name: 'half_plus_two', signature_name: 'nope' },
            inputs: { x: floats([1]) },
          },
          GrpcStatus.INVALID_ARGUMENT,
          'Serving signature name: "nope" not found in signature def',
        ],
        [
          {
            model_spec: { name: 'half_plus_two' },
            inputs: {
              x: { dtype: 'DT_INT32', tensor_shape: { dim: [{ size: 1 }] }, int_val: [1] },
            },
          },
          GrpcStatus.INVALID_ARGUMENT,
          "input 'x': expects float but int32 is provided",
        ],
        [
          { model_spec: { name: 'half_plus_two' }, inputs: { z: floats([1]) } },
          GrpcStatus.INVALID_ARGUMENT,
          'Sent extra: {z}. Missing but required: {x}.',
        ],
        [
          {
            model_spec: { name: 'half_plus_two' },
            inputs: { x: floats([1]) },
            output_filter: ['w'],
          },
          GrpcStatus.INVALID_ARGUMENT,
          'output tensor alias not found in signature: w',
        ],
        [
          {
            model_spec: { name: 'half_plus_two' },
            inputs: { x: floats([1]) },
            output_filter: ['y', 'y'],
          },
          GrpcStatus.INVALID_ARGUMENT,
          'duplicate output tensor alias: y',
        ],
        [{ inputs: {} }, GrpcStatus.INVALID_ARGUMENT, 'Missing ModelSpec'],
      ])('fails %j with the canonical code', async (request, code, message) => {
        const error = await callError(prediction, 'Predict', request);
        expect(error.code).toBe(code);
        expect(error.details).toContain(message);
      });
    });

    describe('GetModelMetadata', () => {
      it('answers the signatures as an Any holding a SignatureDefMap', async () => {
        const res = await call(prediction, 'GetModelMetadata', {
          model_spec: { name: 'half_plus_two' },
          metadata_field: ['signature_def'],
        });
        expect(res.model_spec).toMatchObject({ name: 'half_plus_two', version: { value: '1' } });
        const any = res.metadata.signature_def;
        expect(any.type_url).toBe('type.googleapis.com/tensorflow.serving.SignatureDefMap');
        const root = new protobuf.Root();
        root.resolvePath = (_origin, target) => join(REFERENCE_PROTOS, target);
        root.loadSync('tensorflow_serving/apis/get_model_metadata.proto', { keepCase: true });
        const map = root
          .lookupType('tensorflow.serving.SignatureDefMap')
          .toObject(root.lookupType('tensorflow.serving.SignatureDefMap').decode(any.value), {
            enums: String,
            longs: String,
          });
        expect(map.signature_def.serving_default).toEqual({
          inputs: {
            x: { name: 'x:0', dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: '-1' }] } },
          },
          outputs: {
            y: { name: 'y:0', dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: '-1' }] } },
          },
          method_name: 'tensorflow/serving/predict',
        });
      });

      it.each([
        [
          { model_spec: { name: 'half_plus_two' }, metadata_field: [] },
          'GetModelMetadataRequest must specify at least one metadata_field',
        ],
        [
          { model_spec: { name: 'half_plus_two' }, metadata_field: ['bogus'] },
          'Metadata field bogus is not supported',
        ],
      ])('refuses %j', async (request, message) => {
        const error = await callError(prediction, 'GetModelMetadata', request);
        expect(error.code).toBe(GrpcStatus.INVALID_ARGUMENT);
        expect(error.details).toBe(message);
      });
    });

    describe('ModelService', () => {
      it('answers GetModelStatus as TF Serving does', async () => {
        const res = await call(model, 'GetModelStatus', { model_spec: { name: 'iris' } });
        expect(res.model_version_status).toEqual([
          { version: '2', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } },
          { version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } },
        ]);
        const missing = await callError(model, 'GetModelStatus', { model_spec: { name: 'nope' } });
        expect(missing).toEqual({
          code: GrpcStatus.NOT_FOUND,
          details: 'Could not find any versions of model nope',
        });
      });

      it('adds and removes models with HandleReloadConfigRequest', async () => {
        const entry = (name: string, basePath: string, extra: object = {}) => ({
          name,
          base_path: basePath,
          model_platform: 'tensorflow',
          ...extra,
        });
        const res = await call(model, 'HandleReloadConfigRequest', {
          config: {
            model_config_list: {
              config: [
                entry('iris', join(base.path, 'iris'), {
                  model_version_policy: { specific: { versions: [1] } },
                }),
                entry('half', join(SAMPLE_MODELS, 'half_plus_two')),
              ],
            },
          },
        });
        expect(res.status).toMatchObject({ error_code: 'OK' });
        // The new model is loaded before the call answers.
        const half = await call(prediction, 'Predict', {
          model_spec: { name: 'half' },
          inputs: { x: floats([2]) },
        });
        expect(half.outputs.y.float_val).toEqual([3]);
        const removed = await callError(prediction, 'Predict', {
          model_spec: { name: 'half_plus_two' },
          inputs: { x: floats([2]) },
        });
        expect(removed.code).toBe(GrpcStatus.NOT_FOUND);
        const iris = await call(model, 'GetModelStatus', { model_spec: { name: 'iris' } });
        expect(iris.model_version_status.map((s: any) => [s.version, s.state])).toEqual([
          ['2', 'END'],
          ['1', 'AVAILABLE'],
        ]);
        const bad = await callError(model, 'HandleReloadConfigRequest', {
          config: { model_config_list: { config: [entry('', '/x')] } },
        });
        expect(bad.code).toBe(GrpcStatus.INVALID_ARGUMENT);
      });
    });
  },
);
