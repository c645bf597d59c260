import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { Controller, Get, type INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import {
  configureModelServingApp,
  ModelServingModule,
  type ModelServingModuleOptions,
} from 'nest-model-serving';
import { SAMPLE_MODELS } from './helpers/paths.js';
import { type ServingApp, startServingApp } from './helpers/serving-app.js';

/** A deterministic PRNG (mulberry32), so every run sends the same battery. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(rand: Rand, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
const bytes = (rand: Rand, n: number) =>
  Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));

const MODELS = [
  { name: 'half_plus_two', basePath: join(SAMPLE_MODELS, 'half_plus_two') },
  { name: 'iris', basePath: join(SAMPLE_MODELS, 'iris') },
];

const LONG = 'a'.repeat(5000);

/** Model names, versions and labels that are not what a route expects. */
const BAD_NAMES = [
  '..',
  '%2e%2e',
  '%2E%2E%2Fetc%2Fpasswd',
  '..%2f..%2fetc',
  'half_plus_two%00',
  '%00',
  '%zz',
  '%',
  '%E3%83%A2%E3%83%87%E3%83%AB',
  '%F0%9F%98%80',
  '%C0%AE%C0%AE',
  '%FF%FE',
  'caf\u00e9',
  'x'.repeat(3000),
  'no_such_model',
  '%20',
  'half_plus_two%2F..',
  'iris%3Apredict',
  '\u00ff\u00fe',
];
const BAD_VERSIONS = [
  '99999999999999999999',
  '-1',
  '1.5',
  'abc',
  '0x10',
  '1e3',
  '9223372036854775808',
  '..',
  '3',
];
const BAD_LABELS = [
  '..',
  '%2e%2e',
  '%00',
  'stable%2F..',
  LONG.slice(0, 2000),
  '%E2%80%AE',
  'canary',
];

/** Bodies that are not a valid request of any TF Serving or Open Inference route. */
function badBody(rand: Rand): string | Buffer {
  const kind = Math.floor(rand() * 30);
  const n = () => (rand() * 10).toFixed(2);
  switch (kind) {
    case 0:
      return '{';
    case 1:
      return '{"instances": [1, 2,]}';
    case 2:
      return bytes(rand, 1 + Math.floor(rand() * 300));
    case 3:
      return `{"instances": "${LONG}"}`;
    case 4:
      return '{"instances": [[1, 2], [3]]}';
    case 5:
      return '{"instances": [[1], [[2]]]}';
    case 6:
      return `{"instances": ${'['.repeat(100)}1${']'.repeat(100)}}`;
    case 7:
      return `{"instances": ${'['.repeat(60)}1${']'.repeat(60)}}`;
    case 8:
      return '{"instances": [{"b64": "!!!not base64***"}]}';
    case 9:
      return '{"instances": [{"b64": 5}]}';
    case 10:
      return '{"inputs": {"x": "abc"}}';
    case 11:
      return '{"inputs": 5, "instances": [1]}';
    case 12:
      return `{"signature_name": ${n()}, "instances": [1]}`;
    case 13:
      return '{"instances": [1e400, -1e400]}';
    case 14:
      return '{"instances": null}';
    case 15:
      return '{"examples": "not a list"}';
    case 16:
      return '{"examples": [{"x": [1, "a", {}]}], "context": 7}';
    case 17:
      return '{"inputs": [{"name": "x", "datatype": "FP99", "shape": [1], "data": [1]}]}';
    case 18:
      return '{"inputs": [{"name": "x", "datatype": "FP32", "shape": [-3], "data": [1]}]}';
    case 19:
      return '{"inputs": [{"name": "x", "datatype": "FP32", "shape": [2, 2], "data": [1]}]}';
    case 20:
      return '{"inputs": [{"name": "x", "datatype": "FP32", "shape": [99999999999999999999], "data": []}]}';
    case 21:
      return '{"inputs": {"name": "x"}}';
    case 22:
      return '{"inputs": [{"name": 7, "datatype": ["FP32"], "shape": "1", "data": "abc"}]}';
    case 23:
      return '\ufeff{"instances": [1]} trailing';
    case 24:
      return `{"instances": [${'"x",'.repeat(200)}"x"]}`;
    case 25:
      return '{"instances": [NaN, Infinity, -Infinity, "NaN"]}';
    case 26:
      return '{"instances": [1], "instances": {"x": [1]}, "inputs": [1]}';
    case 27:
      return '[]';
    case 28:
      return `{"${LONG}": 1}`;
    default:
      return '{"inputs": [{"name": "x", "datatype": "BYTES", "shape": [1], "data": [{"b64": "%%%"}]}], "parameters": 5}';
  }
}

interface RestCase {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

const CONTENT_TYPES = [
  'application/json',
  'application/x-www-form-urlencoded',
  'text/plain',
  'application/xml',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/octet-stream',
  '',
];

/** One malformed request: a bad name, version, label, body, method or content type (or many). */
function restCase(rand: Rand): RestCase {
  const name = rand() < 0.6 ? pick(rand, BAD_NAMES) : pick(rand, ['half_plus_two', 'iris']);
  const badName = !['half_plus_two', 'iris'].includes(name);
  const where =
    rand() < 0.4
      ? ''
      : rand() < 0.5
        ? `/versions/${pick(rand, BAD_VERSIONS)}`
        : `/labels/${pick(rand, BAD_LABELS)}`;
  const route = Math.floor(rand() * 12);
  // A GET of a served model at its latest version is a proper request: make it bad.
  const getName = badName || where ? name : pick(rand, BAD_NAMES);
  // TF Serving's status ignores a label (get_model_status_impl.cc reads only the version).
  const statusName = badName || where.startsWith('/versions/') ? name : pick(rand, BAD_NAMES);
  const contentType = pick(rand, CONTENT_TYPES);
  const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
  const post = (path: string): RestCase => {
    // A valid name and place need a bad body; a bad one may carry anything.
    const body =
      badName || where ? (rand() < 0.5 ? badBody(rand) : '{"instances": [1]}') : badBody(rand);
    if (rand() < 0.1) {
      headers['content-encoding'] = pick(rand, ['gzip', 'deflate', 'br', 'compress']);
      return { method: 'POST', path, headers, body: rand() < 0.5 ? gzipSync(body) : body };
    }
    return { method: 'POST', path, headers, body };
  };
  switch (route) {
    case 0:
      return { method: 'GET', path: `/v1/models/${statusName}${where}`, headers: {} };
    case 1:
      return { method: 'GET', path: `/v1/models/${getName}${where}/metadata`, headers: {} };
    case 2:
      return post(`/v1/models/${name}${where}:predict`);
    case 3:
      return post(`/v1/models/${name}${where}:classify`);
    case 4:
      return post(`/v1/models/${name}${where}:regress`);
    case 5: {
      const v = where.startsWith('/versions/') ? where : '';
      return {
        method: 'GET',
        path: `/v2/models/${badName || v ? name : pick(rand, BAD_NAMES)}${v}`,
        headers: {},
      };
    }
    case 6: {
      const v = where.startsWith('/versions/') ? where : '';
      return {
        method: 'GET',
        path: `/v2/models/${badName || v ? name : pick(rand, BAD_NAMES)}${v}/ready`,
        headers: {},
      };
    }
    case 7: {
      const v = where.startsWith('/versions/') ? where : '';
      if (!badName && !v) return post(`/v2/models/${name}/infer`);
      return post(`/v2/models/${name}${v}/infer`);
    }
    case 8:
      return {
        method: pick(rand, ['POST', 'PUT', 'DELETE', 'PATCH']),
        path: pick(rand, ['/v2/health/live', '/v2/health/ready', '/v2', `/v1/models/${name}`]),
        headers,
        body: badBody(rand),
      };
    case 9:
      return {
        method: 'GET',
        path: `/v2/health/${pick(rand, ['live', 'ready'])}/${pick(rand, BAD_NAMES)}`,
        headers: {},
      };
    case 10:
      return post(
        `/v1/models/${name}${where}:${pick(rand, ['Predict', 'explain', '', 'predict:predict'])}`,
      );
    default:
      return {
        method: pick(rand, ['GET', 'POST']),
        path: `/v1/${pick(rand, ['model', 'models/', 'models//versions/1', '..%2fv2'])}${pick(rand, BAD_NAMES)}`,
        headers,
        body: rand() < 0.5 ? badBody(rand) : undefined,
      };
  }
}

interface RestAnswer {
  status: number;
  text: string;
}

function send(agent: Agent, base: string, c: RestCase): Promise<RestAnswer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve) => {
    const body = c.body === undefined ? undefined : Buffer.from(c.body);
    const req = httpRequest(
      {
        host: hostname,
        port,
        method: c.method,
        path: c.path,
        agent,
        headers: { ...c.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', (error) => resolve({ status: 0, text: error.message }));
      },
    );
    req.on('error', (error) => resolve({ status: 0, text: error.message }));
    req.end(body);
  });
}

const LEAKS = /\n\s+at |\/work\/|node_modules|\.ts:\d|\.js:\d|file:\/\//;

/** What is wrong with an answer to a malformed request (nothing when it is a proper 4xx). */
function restProblem(answer: RestAnswer): string | undefined {
  if (answer.status < 400 || answer.status >= 500) {
    return `status ${answer.status}: ${answer.text.slice(0, 100)}`;
  }
  let json: unknown;
  try {
    json = JSON.parse(answer.text);
  } catch {
    return 'not JSON';
  }
  const keys = typeof json === 'object' && json !== null ? Object.keys(json) : [];
  if (keys.join() !== 'error' || typeof (json as { error: unknown }).error !== 'string') {
    return `not { "error": string }: ${answer.text.slice(0, 120)}`;
  }
  if (LEAKS.test(answer.text)) return `leaks internals: ${answer.text.slice(0, 200)}`;
  if (answer.text.length > 1500) return `echoes ${answer.text.length} characters`;
  return undefined;
}

/** Runs `tasks` with at most `width` at a time. */
async function pool<T>(tasks: (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]!();
      }
    }),
  );
  return results;
}

/** Failures grouped by problem, with one example request each, for a readable report. */
function summarize(failures: { problem: string; label: string }[]): string[] {
  const byProblem = new Map<string, string>();
  for (const f of failures) {
    const key = f.problem.slice(0, 160);
    if (!byProblem.has(key)) byProblem.set(key, f.label.slice(0, 200));
  }
  return [...byProblem].map(([problem, label]) => `${problem} <- ${label}`);
}

const predictOk = async (url: string) => {
  const res = await fetch(`${url}/v1/models/half_plus_two:predict`, {
    method: 'POST',
    body: '{"instances": [1, 2, 5]}',
  });
  return { status: res.status, json: await res.json() };
};

describe.each(['express', 'fastify'] as const)('bad-input battery over REST on %s', (platform) => {
  let serving: ServingApp;
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });

  beforeAll(async () => {
    serving = await startServingApp({ models: MODELS, pollIntervalMs: 0 }, platform);
  });

  afterAll(async () => {
    agent.destroy();
    await serving.app.close();
  });

  it('answers 600 generated malformed requests with 4xx { "error" }, then still predicts', async () => {
    const rand = prng(platform === 'express' ? 1 : 2);
    const cases = Array.from({ length: 598 }, () => restCase(rand));
    // Two bodies past the 32 MiB limit, one of them compressed.
    const huge = Buffer.alloc(33 * 1024 * 1024, 0x31);
    cases.push(
      {
        method: 'POST',
        path: '/v1/models/half_plus_two:predict',
        headers: { 'content-type': 'application/json' },
        body: huge,
      },
      {
        method: 'POST',
        path: '/v2/models/half_plus_two/infer',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: gzipSync(huge),
      },
    );
    const answers = await pool(
      cases.map((c) => () => send(agent, serving.url, c)),
      8,
    );
    const failures = answers.flatMap((answer, i) => {
      const problem = restProblem(answer);
      const c = cases[i]!;
      const body = c.body === undefined ? '' : Buffer.from(c.body).toString('latin1').slice(0, 80);
      return problem
        ? [
            {
              problem,
              label: `${c.method} ${c.path.slice(0, 80)} ${JSON.stringify(c.headers)} ${body}`,
            },
          ]
        : [];
    });
    expect(summarize(failures)).toEqual([]);
    expect(await predictOk(serving.url)).toEqual({
      status: 200,
      json: { predictions: [2.5, 3, 4.5] },
    });
  }, 60_000);

  it('cuts error messages that would quote a megabyte name, label or key to about 1 KiB', async () => {
    const huge = 'q'.repeat(1024 * 1024);
    const post = (path: string, body: unknown): RestCase => ({
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const cases = [
      post('/v1/models/half_plus_two:predict', { signature_name: huge, instances: [1] }),
      post('/v2/models/half_plus_two/infer', {
        inputs: [{ name: 'x', shape: [1], datatype: 'FP32', data: [1] }],
        outputs: [{ name: huge }],
      }),
      post('/v1/models/half_plus_two:classify', { signature_name: huge, examples: [{}] }),
      post('/v2/models/half_plus_two/infer', {
        inputs: [{ name: huge, shape: [1], datatype: 'FP32', data: [1] }],
      }),
    ];
    for (const c of cases) {
      const answer = await send(agent, serving.url, c);
      expect({ path: c.path, problem: restProblem(answer) }).toEqual({
        path: c.path,
        problem: undefined,
      });
      expect(answer.text).toMatch(/q{100}… \(cut\)"/);
    }
  }, 60_000);
});

// --- gRPC: raw bytes and hand-built protobuf with wrong-typed fields ---

/** A minimal protobuf writer, so requests can carry what no typed client would send. */
const pb = {
  varint(value: number | bigint): Buffer {
    let v = BigInt.asUintN(64, BigInt(value));
    const out: number[] = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) byte |= 0x80;
      out.push(byte);
    } while (v > 0n);
    return Buffer.from(out);
  },
  int(field: number, value: number | bigint): Buffer {
    return Buffer.concat([pb.varint(field << 3), pb.varint(value)]);
  },
  bytes(field: number, value: string | Buffer): Buffer {
    const data = Buffer.from(value);
    return Buffer.concat([pb.varint((field << 3) | 2), pb.varint(data.length), data]);
  },
  msg(field: number, ...parts: Buffer[]): Buffer {
    return pb.bytes(field, Buffer.concat(parts));
  },
};

/** ModelSpec { name = 1; version = 2 (Int64Value); signature_name = 3; version_label = 4 }. */
function modelSpec(rand: Rand): Buffer {
  const parts = [
    pb.bytes(1, rand() < 0.5 ? pick(rand, ['half_plus_two', 'iris']) : pick(rand, BAD_NAMES)),
  ];
  const r = rand();
  if (r < 0.3)
    parts.push(pb.msg(2, pb.int(1, pick(rand, [-1n, 2n ** 63n - 1n, 99n, -(2n ** 63n)]))));
  else if (r < 0.5) parts.push(pb.bytes(4, pick(rand, BAD_LABELS)));
  else if (r < 0.6) parts.push(pb.msg(2, pb.int(1, 1)), pb.bytes(4, 'stable'));
  if (rand() < 0.3) parts.push(pb.bytes(3, pick(rand, ['nope', '', LONG.slice(0, 500)])));
  if (rand() < 0.1) parts.push(pb.bytes(1, Buffer.from([0xff, 0xfe, 0xc0])));
  return Buffer.concat(parts);
}

/** A TensorProto whose dtype, shape and contents disagree in one way or another. */
function badTensor(rand: Rand): Buffer {
  const dtype = pick(rand, [1, 1, 7, 9, 0, 999, -5, 23]);
  const dims = pick(rand, [[-7], [2 ** 40], [3, 3], [], [1, -1], [0]]);
  const shape = pb.msg(2, ...dims.map((d) => pb.msg(2, pb.int(1, d))));
  const content = pick(rand, [
    pb.bytes(4, bytes(rand, 7)),
    pb.bytes(5, bytes(rand, 12)),
    pb.bytes(8, Buffer.from([0xff, 0xff])),
    pb.int(7, 5),
    Buffer.alloc(0),
    pb.bytes(4, Buffer.alloc(1000)),
  ]);
  return Buffer.concat([pb.int(1, dtype), shape, content]);
}

/** PredictRequest { model_spec = 1; inputs = 2 (map<string, TensorProto>); output_filter = 3 }. */
function badPredict(rand: Rand): Buffer {
  const inputs = Array.from({ length: 1 + Math.floor(rand() * 2) }, () =>
    pb.msg(2, pb.bytes(1, pick(rand, ['x', 'nope', ''])), pb.msg(2, badTensor(rand))),
  );
  const filter = rand() < 0.3 ? [pb.bytes(3, pick(rand, ['nope', 'y', '']))] : [];
  return Buffer.concat([pb.msg(1, modelSpec(rand)), ...inputs, ...filter]);
}

/** ClassificationRequest / RegressionRequest { model_spec = 1; input = 2 }, input malformed. */
function badClassify(rand: Rand): Buffer {
  const feature = pick(rand, [
    pb.msg(2, pb.bytes(1, bytes(rand, 9))),
    pb.msg(1, pb.bytes(1, Buffer.from([0xc3]))),
    pb.int(3, 5),
    Buffer.alloc(0),
  ]);
  const example = pb.msg(
    1,
    pb.msg(1, pb.bytes(1, pick(rand, ['x', '', LONG.slice(0, 300)])), pb.msg(2, feature)),
  );
  const input = pick(rand, [
    pb.msg(1, example),
    pb.msg(2, pb.msg(1, example), pb.bytes(2, bytes(rand, 5))),
    pb.int(1, 3),
    Buffer.alloc(0),
  ]);
  return Buffer.concat([pb.msg(1, modelSpec(rand)), pb.msg(2, input)]);
}

/** ModelInferRequest { model_name = 1; model_version = 2; inputs = 5; raw_input_contents = 7 }. */
function badInfer(rand: Rand): Buffer {
  const tensor = Buffer.concat([
    pb.bytes(1, pick(rand, ['x', 'nope', ''])),
    pb.bytes(2, pick(rand, ['FP32', 'FP99', 'BYTES', 'INT64', ''])),
    ...pick(rand, [[-3], [2 ** 40], [2, 2], [], [1]]).map((d) => pb.int(3, d)),
    pick(rand, [
      pb.msg(5, pb.bytes(6, bytes(rand, 6))),
      pb.msg(5, pb.bytes(8, 'abc')),
      pb.msg(5, pb.int(2, 7)),
      Buffer.alloc(0),
    ]),
  ]);
  return Buffer.concat([
    pb.bytes(1, rand() < 0.5 ? 'half_plus_two' : pick(rand, BAD_NAMES)),
    pb.bytes(2, pick(rand, ['', ...BAD_VERSIONS])),
    pb.msg(5, tensor),
    ...(rand() < 0.4 ? [pb.bytes(7, bytes(rand, Math.floor(rand() * 13)))] : []),
    ...(rand() < 0.2 ? [pb.msg(4, pb.bytes(1, 'k'), pb.int(1, 1))] : []),
  ]);
}

const GRPC_METHODS: Record<string, ((rand: Rand) => Buffer) | undefined> = {
  '/tensorflow.serving.PredictionService/Predict': badPredict,
  '/tensorflow.serving.PredictionService/Classify': badClassify,
  '/tensorflow.serving.PredictionService/Regress': badClassify,
  '/tensorflow.serving.PredictionService/GetModelMetadata': (rand) =>
    Buffer.concat([
      pb.msg(1, modelSpec(rand)),
      pb.bytes(2, pick(rand, ['signature_def', 'nope', '', LONG.slice(0, 300)])),
    ]),
  '/tensorflow.serving.ModelService/GetModelStatus': (rand) => pb.msg(1, modelSpec(rand)),
  '/inference.GRPCInferenceService/ModelInfer': badInfer,
  '/inference.GRPCInferenceService/ModelMetadata': (rand) =>
    Buffer.concat([pb.bytes(1, pick(rand, BAD_NAMES)), pb.bytes(2, pick(rand, BAD_VERSIONS))]),
  '/inference.GRPCInferenceService/ModelReady': (rand) =>
    Buffer.concat([pb.bytes(1, pick(rand, BAD_NAMES)), pb.bytes(2, pick(rand, BAD_VERSIONS))]),
};

/** Bytes that are not a protobuf message, or one with a field of the wrong wire type. */
function garbage(rand: Rand): Buffer {
  return pick(rand, [
    () => bytes(rand, 1 + Math.floor(rand() * 200)),
    () => pb.int(1, 5), // a message field sent as a varint
    () => Buffer.concat([pb.varint(0x0a), pb.varint(1000)]), // a length past the end
    () => Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
    () => pb.bytes(1, Buffer.from([0xff, 0xfe, 0xfd])), // a string that is not UTF-8
    () => Buffer.from([0x0f]), // wire type 7 does not exist
    () => {
      // A message nested 200 deep.
      let inner: Buffer = Buffer.alloc(0);
      for (let i = 0; i < 200; i++) inner = pb.msg(1, inner);
      return inner;
    },
  ])();
}

const passthrough = (b: Buffer) => b;

function rawCall(client: grpc.Client, method: string, body: Buffer): Promise<grpc.status> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      method,
      passthrough,
      passthrough,
      body,
      new grpc.Metadata(),
      { deadline: new Date(Date.now() + 10_000) },
      (error) => resolve(error ? error.code : grpc.status.OK),
    );
  });
}

describe('bad-input battery over gRPC', () => {
  let serving: ServingApp;
  let client: grpc.Client;

  beforeAll(async () => {
    const options: ModelServingModuleOptions = { models: MODELS, pollIntervalMs: 0 };
    serving = await startServingApp(options, 'express', { grpc: true });
    client = new grpc.Client(serving.grpcAddress!, grpc.credentials.createInsecure());
  });

  afterAll(async () => {
    client.close();
    await serving.app.close();
  });

  it('answers 400 generated malformed calls with a proper status (never UNKNOWN or INTERNAL), then still predicts', async () => {
    const rand = prng(3);
    const methods = Object.keys(GRPC_METHODS);
    const cases = Array.from({ length: 400 }, (_, i) => {
      const method = methods[i % methods.length]!;
      const body = rand() < 0.35 ? garbage(rand) : GRPC_METHODS[method]!(rand);
      return { method, body };
    });
    const codes = await pool(
      cases.map((c) => () => rawCall(client, c.method, c.body)),
      8,
    );
    const failures = codes.flatMap((code, i) =>
      code === grpc.status.UNKNOWN || code === grpc.status.INTERNAL
        ? [
            {
              problem: `${grpc.status[code]} from ${cases[i]!.method}`,
              label: cases[i]!.body.toString('hex').slice(0, 120),
            },
          ]
        : [],
    );
    expect(summarize(failures)).toEqual([]);
    // A proper Predict still answers: y = x/2 + 2 for x = [1, 2, 5].
    const predict = Buffer.concat([
      pb.msg(1, pb.bytes(1, 'half_plus_two')),
      pb.msg(
        2,
        pb.bytes(1, 'x'),
        pb.msg(
          2,
          pb.int(1, 1),
          pb.msg(2, pb.msg(2, pb.int(1, 3))),
          pb.bytes(5, Buffer.from(new Float32Array([1, 2, 5]).buffer)),
        ),
      ),
    ]);
    const answer = await new Promise<Buffer>((resolve, reject) =>
      client.makeUnaryRequest(
        '/tensorflow.serving.PredictionService/Predict',
        passthrough,
        passthrough,
        predict,
        (error, value) =>
          error || !value ? reject(error ?? new Error('no answer')) : resolve(value),
      ),
    );
    // The packed float_val of the answer: 2.5, 3, 4.5.
    const floats = Buffer.from(new Float32Array([2.5, 3, 4.5]).buffer);
    expect(answer.includes(floats)).toBe(true);
    expect(await predictOk(serving.url)).toEqual({
      status: 200,
      json: { predictions: [2.5, 3, 4.5] },
    });
  }, 60_000);

  it('cuts status details that would quote a megabyte model name or label to about 1 KiB', async () => {
    const huge = 'q'.repeat(2 * 1024 * 1024);
    const bodies: [string, Buffer][] = [
      ['/tensorflow.serving.PredictionService/Predict', pb.msg(1, pb.bytes(1, huge))],
      [
        '/tensorflow.serving.PredictionService/GetModelMetadata',
        Buffer.concat([pb.msg(1, pb.bytes(1, huge)), pb.bytes(2, 'signature_def')]),
      ],
      ['/tensorflow.serving.ModelService/GetModelStatus', pb.msg(1, pb.bytes(1, huge))],
      [
        '/tensorflow.serving.PredictionService/Predict',
        pb.msg(1, pb.bytes(1, 'half_plus_two'), pb.bytes(4, huge)),
      ],
      [
        '/tensorflow.serving.PredictionService/Predict',
        pb.msg(1, pb.bytes(1, 'half_plus_two'), pb.bytes(3, huge)),
      ],
      ['/inference.GRPCInferenceService/ModelInfer', pb.bytes(1, huge)],
    ];
    for (const [method, body] of bodies) {
      const error = await new Promise<grpc.ServiceError | null>((resolve) =>
        client.makeUnaryRequest(method, passthrough, passthrough, body, (e) => resolve(e)),
      );
      expect(error).not.toBeNull();
      expect({ method, code: grpc.status[error!.code] }).not.toEqual({ method, code: 'UNKNOWN' });
      // The cap (1,024 characters) and its mark, nothing of the rest.
      expect({ method, length: error!.details.length }).toEqual({ method, length: 1031 });
      expect(error!.details.endsWith('qqqq… (cut)')).toBe(true);
    }
  }, 60_000);
});

describe('bad-input battery: bad credentials with auth on', () => {
  const KEY = 'battery-all-models-key-0001';
  const IRIS_KEY = 'battery-iris-only-key-0002';
  let serving: ServingApp;
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });

  beforeAll(async () => {
    serving = await startServingApp({
      models: MODELS,
      pollIntervalMs: 0,
      auth: {
        apiKeys: [
          { id: 'all', key: KEY },
          { id: 'iris', key: IRIS_KEY, models: ['iris'] },
        ],
        rateLimit: { limit: 100_000, ttlMs: 60_000 },
      },
    });
  });

  afterAll(async () => {
    agent.destroy();
    await serving.app.close();
  });

  it('answers 200 generated bad credentials with 401/403 { "error" } that repeat no credential', async () => {
    const rand = prng(4);
    const credential = (): Record<string, string> =>
      pick(rand, [
        () => ({}),
        () => ({ 'x-api-key': '' }),
        () => ({ 'x-api-key': KEY.slice(0, -1) }),
        () => ({ 'x-api-key': 'k'.repeat(4000) }),
        // Printable ASCII noise (a header value takes nothing else).
        () => ({
          'x-api-key': String.fromCharCode(...bytes(rand, 20).map((b) => 0x21 + (b % 94))),
        }),
        () => ({ authorization: 'Bearer' }),
        () => ({ authorization: 'Bearer not.a.jwt' }),
        () => ({ authorization: `Bearer ${'e'.repeat(3000)}.e30.sig` }),
        () => ({ authorization: `Basic ${Buffer.from(`user:${KEY}x`).toString('base64')}` }),
        () => ({ authorization: `Bearer ${IRIS_KEY}`, 'x-api-key': 'wrong' }),
        () => ({ 'x-api-key': IRIS_KEY }), // a real key, for another model: 403
      ])();
    const cases: RestCase[] = Array.from({ length: 200 }, () => ({
      method: 'POST',
      path: pick(rand, [
        '/v1/models/half_plus_two:predict',
        '/v2/models/half_plus_two/infer',
        '/v1/models/half_plus_two:regress',
      ]),
      headers: { 'content-type': 'application/json', ...credential() },
      body: '{"instances": [1]}',
    }));
    const answers = await pool(
      cases.map((c) => () => send(agent, serving.url, c)),
      8,
    );
    const failures = answers.flatMap((answer, i) => {
      const c = cases[i]!;
      const problem =
        restProblem(answer) ??
        (answer.status === 401 || answer.status === 403 ? undefined : `status ${answer.status}`) ??
        (answer.text.includes(KEY) || answer.text.includes(IRIS_KEY) ? 'repeats a key' : undefined);
      return problem
        ? [{ problem, label: `${c.path} ${JSON.stringify(c.headers).slice(0, 120)}` }]
        : [];
    });
    expect(summarize(failures)).toEqual([]);
    const ok = await fetch(`${serving.url}/v1/models/half_plus_two:predict`, {
      method: 'POST',
      body: '{"instances": [1, 2, 5]}',
      headers: { 'x-api-key': KEY },
    });
    expect(await ok.json()).toEqual({ predictions: [2.5, 3, 4.5] });
  }, 60_000);
});

describe("Fastify URL guard: the library's JSON errors on its own routes, the app's routes left to Fastify", () => {
  const STATIC = 's'.repeat(150);

  @Controller(STATIC)
  class LongStaticController {
    @Get('ping')
    ping() {
      return { pong: true };
    }
  }

  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ModelServingModule.forRoot({ models: MODELS.slice(0, 1), pollIntervalMs: 0 })],
      controllers: [LongStaticController],
    }).compile();
    app = moduleRef.createNestApplication(new FastifyAdapter());
    app.useLogger(false);
    configureModelServingApp(app, { enableShutdownHooks: false });
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app.close();
  });

  it("serves the app's static route with a segment past maxParamLength (100)", async () => {
    const response = await fetch(`${url}/${STATIC}/ping`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ pong: true });
    // An unknown long path is Fastify's 404, not a 414.
    expect((await fetch(`${url}/${STATIC}/nothing`)).status).toBe(404);
  });

  it("answers 414 { error } for a model name past maxParamLength on the library's routes", async () => {
    for (const path of [`/v1/models/${'m'.repeat(150)}`, `/v2/models/${'m'.repeat(150)}/ready`]) {
      const response = await fetch(`${url}${path}`);
      expect(response.status).toBe(414);
      expect(await response.json()).toEqual({
        error: "A path segment is longer than 100 characters (Fastify's maxParamLength)",
      });
    }
  });

  it('answers 400 { error } for a path that is not valid percent-encoded UTF-8, on any route', async () => {
    for (const path of ['/v1/models/%zz', `/${STATIC}/%FF%FE`]) {
      const response = await fetch(`${url}${path}`);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: 'The request path is not valid percent-encoded UTF-8',
      });
    }
  });
});
