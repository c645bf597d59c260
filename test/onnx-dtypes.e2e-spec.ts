import { join } from 'node:path';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { InferenceObserver, type InferenceRecord } from 'nest-model-serving';
import { ONNX_TYPE, writeOnnxModel } from '../scripts/sample-models/onnx-writer.js';
import {
  call,
  callError,
  makeClient,
  predictionClient,
  REFERENCE_PROTOS,
} from './helpers/grpc-client.js';
import { post } from './helpers/http.js';
import { tempDir } from './helpers/model-dirs.js';
import { describeIfPresent } from './helpers/paths.js';
import { type ServingApp, startServingApp } from './helpers/serving-app.js';

/** Each input echoed by Identity, plus int64 `i64 + 1` computed by ONNX Runtime. */
const TYPES = {
  i64: ONNX_TYPE.int64,
  f64: ONNX_TYPE.double,
  u8: ONNX_TYPE.uint8,
  i8: ONNX_TYPE.int8,
  i16: ONNX_TYPE.int16,
  f16: ONNX_TYPE.float16,
  b: ONNX_TYPE.bool,
  i32: ONNX_TYPE.int32,
} as const;
type Name = keyof typeof TYPES;
const NAMES = Object.keys(TYPES) as Name[];

async function writeEchoModel(dir: string): Promise<void> {
  await writeOnnxModel(dir, {
    inputs: NAMES.map((name) => ({ name, type: TYPES[name], shape: ['n'] })),
    outputs: [
      ...NAMES.map((name) => ({ name: `${name}_out`, type: TYPES[name], shape: ['n'] })),
      { name: 'i64_next', type: ONNX_TYPE.int64, shape: ['n'] },
    ],
    nodes: [
      ...NAMES.map((name) => ({ op: 'Identity', inputs: [name], outputs: [`${name}_out`] })),
      { op: 'Add', inputs: ['i64', 'one'], outputs: ['i64_next'] },
    ],
    initializers: [{ name: 'one', type: ONNX_TYPE.int64, dims: [], data: BigInt64Array.of(1n) }],
  });
}

// Values no narrower carrier keeps: past 2^53, the int64 extremes, 0.1 + 0.2 with all 17 digits.
const INT64 = ['9007199254740993', '-9223372036854775808', '9223372036854775806'];
const F64 = [0.1 + 0.2, 1e-310, -1.7976931348623157e308];
const U8 = [0, 255, 7];
const I8 = [-128, 127, 0];
const I16 = [-32768, 32767, 1];
const F16 = [1, -2, 0.5]; // exact halves
const HALF_BITS = [0x3c00, 0xc000, 0x3800];
const BOOLS = [true, false, true];
const I32 = [-2147483648, 2147483647, 3];
const NEXT = ['9007199254740994', '-9223372036854775807', '9223372036854775807'];

/** The REST inputs as JSON text, the int64 literals written with all their digits. */
function columnarBody(overrides: Partial<Record<Name, string>> = {}): string {
  const lists: Record<Name, string> = {
    i64: `[${INT64.join(',')}]`,
    f64: JSON.stringify(F64),
    u8: JSON.stringify(U8),
    i8: JSON.stringify(I8),
    i16: JSON.stringify(I16),
    f16: JSON.stringify(F16),
    b: JSON.stringify(BOOLS),
    i32: JSON.stringify(I32),
    ...overrides,
  };
  return `{"inputs":{${NAMES.map((name) => `"${name}":${lists[name]}`).join(',')}}}`;
}

/** The text without whitespace (TF Serving's writer indents). */
const compact = (text: string) => text.replace(/\s+/g, '');

describe('exact dtypes on ONNX Runtime', () => {
  let base: { path: string; cleanup: () => Promise<void> };
  let serving: ServingApp;

  beforeAll(async () => {
    base = await tempDir('onnx-dtypes');
    await writeEchoModel(join(base.path, 'echo', '1'));
    serving = await startServingApp(
      { models: [{ name: 'echo', basePath: join(base.path, 'echo') }], maxLoadRetries: 0 },
      'express',
      { grpc: true },
    );
  });

  afterAll(async () => {
    await serving?.app.close();
    await base?.cleanup();
  });

  describe('over TF Serving REST', () => {
    const predict = (body: string) => post(`${serving.url}/v1/models/echo:predict`, body);

    it('reports each dtype in metadata', async () => {
      const res = await post(`${serving.url}/v1/models/echo/metadata`, '');
      const meta = (await (await fetch(`${serving.url}/v1/models/echo/metadata`)).json()) as any;
      expect(res.status).toBeDefined();
      const inputs = meta.metadata.signature_def.signature_def.serving_default.inputs;
      expect(Object.fromEntries(NAMES.map((n) => [n, inputs[n].dtype]))).toEqual({
        i64: 'DT_INT64',
        f64: 'DT_DOUBLE',
        u8: 'DT_UINT8',
        i8: 'DT_INT8',
        i16: 'DT_INT16',
        f16: 'DT_HALF',
        b: 'DT_BOOL',
        i32: 'DT_INT32',
      });
    });

    it('answers every value exactly, int64 as JSON numbers with all their digits', async () => {
      const res = await predict(columnarBody());
      expect(res.status).toBe(200);
      const text = compact(res.text);
      expect(text).toContain(`"i64_out":[${INT64.join(',')}]`);
      expect(text).toContain(`"i64_next":[${NEXT.join(',')}]`);
      expect(text).toContain('"f64_out":[0.30000000000000004,1e-310,-1.7976931348623157e+308]');
      expect(res.json.outputs).toMatchObject({
        u8_out: U8,
        i8_out: I8,
        i16_out: I16,
        f16_out: F16,
        b_out: BOOLS,
        i32_out: I32,
      });
    });

    it.each([
      [
        'u8',
        '[0,256,1]',
        'JSON Value: 256 Type: Number is out of range for type: uint8 (an integer from 0 to 255)',
      ],
      ['i32', '[1,1.5,2]', 'JSON Value: 1.5 Type: Number is not of expected type: int32'],
      [
        'i64',
        '[1,9223372036854775808,2]',
        'JSON Value: 9223372036854775808 Type: Number is not of expected type: int64',
      ],
    ] as const)('refuses a %s value it cannot represent with a 400', async (name, list, error) => {
      const res = await predict(columnarBody({ [name]: list }));
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ error });
    });
  });

  describe('through the batching queue', () => {
    let batched: ServingApp;
    const batchSizes: (number | undefined)[] = [];
    class BatchSizes extends InferenceObserver {
      observe(record: InferenceRecord): void {
        if (record.protocol === 'rest') batchSizes.push(record.batchSize);
      }
    }

    beforeAll(async () => {
      batched = await startServingApp({
        observers: [new BatchSizes()],
        models: [{ name: 'echo', basePath: join(base.path, 'echo') }],
        maxLoadRetries: 0,
        // A long window and room for all four requests: they run as one batch of 12 rows.
        batching: { maxBatchSize: 16, batchTimeoutMicros: 200_000, allowedBatchSizes: [16] },
      });
    });

    afterAll(async () => {
      await batched?.app.close();
    });

    it('concatenates, pads and splits int64 past 2^53 and float16 without a bit lost', async () => {
      const requests = [0n, 1n, 2n, 3n].map((k) => {
        const i64 = INT64.map((v, i) => (i === 0 ? String(BigInt(v) + k) : v));
        const f16 = F16.map((v) => v * 2 ** Number(k));
        return {
          k,
          i64,
          f16,
          body: columnarBody({ i64: `[${i64.join(',')}]`, f16: JSON.stringify(f16) }),
        };
      });
      const answers = await Promise.all(
        requests.map((r) => post(`${batched.url}/v1/models/echo:predict`, r.body)),
      );
      answers.forEach((res, i) => {
        const { i64, f16 } = requests[i]!;
        expect(res.status).toBe(200);
        expect(compact(res.text)).toContain(`"i64_out":[${i64.join(',')}]`);
        expect(res.json.outputs.f16_out).toEqual(f16);
        expect(res.json.outputs.u8_out).toEqual(U8);
      });
      // One batch of 4 × 3 rows padded to 16, as the run path reports each call.
      expect(batchSizes).toEqual([16, 16, 16, 16]);
    });
  });

  describe('over Open Inference REST', () => {
    const infer = (body: string) =>
      post(`${serving.url}/v2/models/echo/infer`, body, 'application/json');
    const DATATYPES: Record<Name, string> = {
      i64: 'INT64',
      f64: 'FP64',
      u8: 'UINT8',
      i8: 'INT8',
      i16: 'INT16',
      f16: 'FP16',
      b: 'BOOL',
      i32: 'INT32',
    };
    const body = (i64 = `[${INT64.join(',')}]`, u8 = JSON.stringify(U8)) => {
      const data: Record<Name, string> = {
        i64,
        f64: JSON.stringify(F64),
        u8,
        i8: JSON.stringify(I8),
        i16: JSON.stringify(I16),
        f16: JSON.stringify(F16),
        b: JSON.stringify(BOOLS),
        i32: JSON.stringify(I32),
      };
      const inputs = NAMES.map(
        (n) => `{"name":"${n}","datatype":"${DATATYPES[n]}","shape":[3],"data":${data[n]}}`,
      );
      return `{"inputs":[${inputs.join(',')}]}`;
    };

    it('answers every value exactly, int64 as JSON numbers with all their digits', async () => {
      const res = await infer(body());
      expect(res.status).toBe(200);
      expect(res.text).toContain(`"datatype":"INT64","shape":[3],"data":[${INT64.join(',')}]`);
      expect(res.text).toContain(
        `"name":"i64_next","datatype":"INT64","shape":[3],"data":[${NEXT.join(',')}]`,
      );
      const outputs = Object.fromEntries(
        (res.json.outputs as { name: string; datatype: string; data: unknown[] }[]).map((o) => [
          o.name,
          [o.datatype, o.data],
        ]),
      );
      expect(outputs).toMatchObject({
        f64_out: ['FP64', [0.30000000000000004, 1e-310, -1.7976931348623157e308]],
        u8_out: ['UINT8', U8],
        i8_out: ['INT8', I8],
        i16_out: ['INT16', I16],
        f16_out: ['FP16', F16],
        b_out: ['BOOL', BOOLS],
      });
    });

    it('refuses values the datatype cannot represent with a 400 naming the range', async () => {
      const u8 = await infer(body(undefined, '[0,256,1]'));
      expect(u8.status).toBe(400);
      expect(u8.json).toEqual({
        error: "input 'u8': 256 cannot be represented as uint8 (an integer from 0 to 255)",
      });
      const i64 = await infer(body('[1,9223372036854775808,2]'));
      expect(i64.status).toBe(400);
      expect(i64.json.error).toBe(
        "input 'i64': 9223372036854775808 cannot be represented as int64 (an integer from -9223372036854775808 to 9223372036854775807)",
      );
    });
  });

  describeIfPresent(REFERENCE_PROTOS)('over gRPC', () => {
    const dims = { dim: [{ size: 3 }] };
    const protos = (overrides: Record<string, object> = {}) => ({
      i64: { dtype: 'DT_INT64', tensor_shape: dims, int64_val: INT64 },
      f64: { dtype: 'DT_DOUBLE', tensor_shape: dims, double_val: F64 },
      u8: { dtype: 'DT_UINT8', tensor_shape: dims, int_val: U8 },
      i8: { dtype: 'DT_INT8', tensor_shape: dims, int_val: I8 },
      i16: { dtype: 'DT_INT16', tensor_shape: dims, int_val: I16 },
      f16: { dtype: 'DT_HALF', tensor_shape: dims, half_val: HALF_BITS },
      b: { dtype: 'DT_BOOL', tensor_shape: dims, bool_val: BOOLS },
      i32: { dtype: 'DT_INT32', tensor_shape: dims, int_val: I32 },
      ...overrides,
    });

    it('answers TF Serving Predict exactly, int64_val with all the digits', async () => {
      const client = predictionClient(serving.grpcAddress!);
      try {
        const res = await call(client, 'Predict', {
          model_spec: { name: 'echo' },
          inputs: protos(),
        });
        const o = res.outputs;
        expect(o.i64_out.int64_val).toEqual(INT64);
        expect(o.i64_next.int64_val).toEqual(NEXT);
        expect(o.f64_out.double_val).toEqual(F64);
        expect(o.u8_out.int_val).toEqual(U8);
        expect(o.i8_out.int_val).toEqual(I8);
        expect(o.i16_out.int_val).toEqual(I16);
        expect(o.f16_out.half_val).toEqual(HALF_BITS);
        expect(o.b_out.bool_val).toEqual(BOOLS);
        expect(o.u8_out.dtype).toBe('DT_UINT8');
        const refused = await callError(client, 'Predict', {
          model_spec: { name: 'echo' },
          inputs: protos({ u8: { dtype: 'DT_UINT8', tensor_shape: dims, int_val: [1, 256, 2] } }),
        });
        expect(refused).toEqual({
          code: GrpcStatus.INVALID_ARGUMENT,
          details: "input 'u8': 256 cannot be represented as uint8 (an integer from 0 to 255)",
        });
      } finally {
        client.close();
      }
    });

    describeIfPresent(join(REFERENCE_PROTOS, 'open_inference'))('Open Inference', () => {
      it('answers ModelInfer exactly from typed and raw contents', async () => {
        const client = makeClient(
          join(REFERENCE_PROTOS, 'open_inference'),
          ['open_inference_grpc.proto'],
          'inference.GRPCInferenceService',
          serving.grpcAddress!,
        );
        try {
          const typed = await call(client, 'ModelInfer', {
            model_name: 'echo',
            inputs: [
              { name: 'i64', datatype: 'INT64', shape: [3], contents: { int64_contents: INT64 } },
              { name: 'f64', datatype: 'FP64', shape: [3], contents: { fp64_contents: F64 } },
              { name: 'u8', datatype: 'UINT8', shape: [3], contents: { uint_contents: U8 } },
              { name: 'i8', datatype: 'INT8', shape: [3], contents: { int_contents: I8 } },
              { name: 'i16', datatype: 'INT16', shape: [3], contents: { int_contents: I16 } },
              { name: 'f16', datatype: 'FP16', shape: [3] },
              { name: 'b', datatype: 'BOOL', shape: [3], contents: { bool_contents: BOOLS } },
              { name: 'i32', datatype: 'INT32', shape: [3], contents: { int_contents: I32 } },
            ],
            // FP16 has no typed field: its raw contents, in order among the inputs, would be
            // needed for all of them; send them all raw instead in the second call.
          }).catch((error: { details: string }) => error);
          expect((typed as { details: string }).details).toMatch(/raw/);

          const raw = (values: ArrayBufferView) =>
            Buffer.from(values.buffer, values.byteOffset, values.byteLength);
          const res = await call(client, 'ModelInfer', {
            model_name: 'echo',
            inputs: NAMES.map((name) => ({
              name,
              datatype: {
                i64: 'INT64',
                f64: 'FP64',
                u8: 'UINT8',
                i8: 'INT8',
                i16: 'INT16',
                f16: 'FP16',
                b: 'BOOL',
                i32: 'INT32',
              }[name],
              shape: [3],
            })),
            raw_input_contents: [
              raw(BigInt64Array.from(INT64, BigInt)),
              raw(Float64Array.from(F64)),
              raw(Uint8Array.from(U8)),
              raw(Int8Array.from(I8)),
              raw(Int16Array.from(I16)),
              raw(Uint16Array.from(HALF_BITS)),
              raw(Uint8Array.from(BOOLS, Number)),
              raw(Int32Array.from(I32)),
            ],
          });
          const names: string[] = res.outputs.map((o: { name: string }) => o.name);
          const out = (name: string) => res.raw_output_contents[names.indexOf(name)] as Buffer;
          const view = (b: Buffer) => new Uint8Array(b).buffer;
          expect([...new BigInt64Array(view(out('i64_out')))].map(String)).toEqual(INT64);
          expect([...new BigInt64Array(view(out('i64_next')))].map(String)).toEqual(NEXT);
          expect([...new Float64Array(view(out('f64_out')))]).toEqual(F64);
          expect([...new Uint16Array(view(out('f16_out')))]).toEqual(HALF_BITS);
          expect([...new Uint8Array(view(out('u8_out')))]).toEqual(U8);
          expect([...new Int16Array(view(out('i16_out')))]).toEqual(I16);
        } finally {
          client.close();
        }
      });
    });
  });
});
