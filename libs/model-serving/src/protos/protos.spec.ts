import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import {
  HEALTH_PROTO_FILES,
  OPEN_INFERENCE_PROTO_FILES,
  PROTOS_DIR,
  TF_SERVING_PROTO_FILES,
} from './proto-path.js';
import { itIfPresent, SHARED } from '../../../../test/helpers/paths.js';

/** Verbatim upstream protos, kept outside the repository (see its README). */
const REFERENCE_DIR = join(SHARED, 'protos-reference');

/** Our files whose counterpart in the reference tree has another path. */
const REFERENCE_PATH_OF: Record<string, string> = {
  'inference/open_inference_grpc.proto': 'open_inference/open_inference_grpc.proto',
};

/** Our files written from a public spec, with no counterpart in the reference tree. */
const WITHOUT_REFERENCE = new Set(['grpc/health/v1/health.proto']);

/**
 * What the reference defines, in the files we mirror, that ours deliberately leave out.
 * PredictionLog's SessionRun variant needs TF Serving's SessionService and TensorFlow's whole
 * config.proto, neither of which this project serves; ours keeps its field number reserved.
 */
const ALLOWED_OMISSIONS = [
  'field .tensorflow.serving.PredictionLog #5 session_run_log',
  'message .tensorflow.serving.SessionRunLog',
];

function listProtos(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.proto'))
    .map((file) => file.split(sep).join('/'))
    .sort();
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

function md5(path: string): string {
  return createHash('md5').update(readFileSync(path)).digest('hex');
}

/** Loads `files` (relative to `dir`) with imports resolved inside `dir`, as the library does. */
function loadRoot(dir: string, files: readonly string[]): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (target.startsWith(dir) ? target : join(dir, target));
  root.loadSync(
    files.map((file) => join(dir, file)),
    { keepCase: true },
  );
  root.resolveAll();
  return root;
}

type Defined = protobuf.Type | protobuf.Enum | protobuf.Service;

/** Every message, enum and service of `root` (nested ones too), by full name. */
function definitions(root: protobuf.Root): Map<string, Defined> {
  const found = new Map<string, Defined>();
  const visit = (ns: protobuf.NamespaceBase): void => {
    for (const child of ns.nestedArray) {
      if (
        child instanceof protobuf.Type ||
        child instanceof protobuf.Enum ||
        child instanceof protobuf.Service
      ) {
        found.set(child.fullName, child);
      }
      if (child instanceof protobuf.Namespace) visit(child);
    }
  };
  visit(root);
  return found;
}

/** Definitions whose source file is one of `files` (absolute paths). */
function definedIn(root: protobuf.Root, files: ReadonlySet<string>): Map<string, Defined> {
  const found = new Map<string, Defined>();
  for (const [name, item] of definitions(root)) {
    if (typeof item.filename === 'string' && files.has(resolve(item.filename)))
      found.set(name, item);
  }
  return found;
}

function kindOf(item: Defined): string {
  if (item instanceof protobuf.Type) return 'message';
  if (item instanceof protobuf.Enum) return 'enum';
  return 'service';
}

/** Everything about a field that decides its wire format and its decoded shape. */
function describeField(field: protobuf.Field): string {
  const type = field.resolvedType ? field.resolvedType.fullName : field.type;
  const key = field instanceof protobuf.MapField ? `map<${field.keyType}> ` : '';
  const rule = field.repeated ? 'repeated ' : '';
  const packed = field.repeated && field.packed ? ' [packed]' : '';
  const oneof = field.partOf ? ` (oneof ${field.partOf.name})` : '';
  return `${rule}${key}${type} ${field.name}${packed}${oneof}`;
}

function describeMethod(method: protobuf.Method | undefined): string {
  if (!method) return 'absent';
  const request = method.resolvedRequestType?.fullName ?? method.requestType;
  const response = method.resolvedResponseType?.fullName ?? method.responseType;
  return (
    `(${method.requestStream ? 'stream ' : ''}${request}) ` +
    `returns (${method.responseStream ? 'stream ' : ''}${response})`
  );
}

interface Comparison {
  mismatches: string[];
  omissions: string[];
}

/** Differences of one of our definitions from the reference's definition of the same name. */
function compare(ours: Defined, theirs: Defined, result: Comparison): void {
  const name = ours.fullName;
  if (kindOf(ours) !== kindOf(theirs)) {
    result.mismatches.push(`${name}: ${kindOf(ours)} here, ${kindOf(theirs)} in the reference`);
    return;
  }
  if (ours instanceof protobuf.Type && theirs instanceof protobuf.Type) {
    const ids = new Set([...Object.keys(ours.fieldsById), ...Object.keys(theirs.fieldsById)]);
    for (const id of [...ids].map(Number).sort((a, b) => a - b)) {
      const mine = ours.fieldsById[id];
      const ref = theirs.fieldsById[id];
      if (!ref) {
        result.mismatches.push(`field ${name} #${id}: not in the reference`);
      } else if (!mine) {
        result.omissions.push(`field ${name} #${id} ${ref.name}`);
      } else if (describeField(mine) !== describeField(ref)) {
        result.mismatches.push(
          `field ${name} #${id}: "${describeField(mine)}" here, "${describeField(ref)}" in the reference`,
        );
      }
    }
  } else if (ours instanceof protobuf.Enum && theirs instanceof protobuf.Enum) {
    const names = new Set([...Object.keys(ours.values), ...Object.keys(theirs.values)]);
    for (const value of [...names].sort()) {
      if (ours.values[value] !== theirs.values[value]) {
        result.mismatches.push(
          `enum ${name}.${value}: ${ours.values[value] ?? 'absent'} here, ${theirs.values[value] ?? 'absent'} in the reference`,
        );
      }
    }
  } else if (ours instanceof protobuf.Service && theirs instanceof protobuf.Service) {
    const names = new Set([...Object.keys(ours.methods), ...Object.keys(theirs.methods)]);
    for (const method of [...names].sort()) {
      const mine = describeMethod(ours.methods[method]);
      const ref = describeMethod(theirs.methods[method]);
      if (mine !== ref) {
        result.mismatches.push(`rpc ${name}.${method}: "${mine}" here, "${ref}" in the reference`);
      }
    }
  }
}

const OUR_FILES = listProtos(PROTOS_DIR);
const COMPARED_FILES = OUR_FILES.filter((file) => !WITHOUT_REFERENCE.has(file));
const referencePath = (file: string): string => REFERENCE_PATH_OF[file] ?? file;

describe('the project protos', () => {
  it('are all present, including the service files proto-path.ts lists', () => {
    const services = [
      ...TF_SERVING_PROTO_FILES,
      ...OPEN_INFERENCE_PROTO_FILES,
      ...HEALTH_PROTO_FILES,
    ];
    for (const file of services) expect(OUR_FILES).toContain(file);
    expect(OUR_FILES).toEqual(
      expect.arrayContaining([
        'tensorflow/core/protobuf/saved_model.proto',
        'tensorflow/core/protobuf/tensor_bundle.proto',
        'tensorflow/core/example/example.proto',
        'tensorflow_serving/config/model_server_config.proto',
      ]),
    );
  });

  it('all load and resolve with protobufjs from the protos folder, well-known types included', () => {
    const root = loadRoot(PROTOS_DIR, OUR_FILES);
    expect(root.lookupType('google.protobuf.Any').fieldsById[1]?.name).toBe('type_url');
    expect(root.lookupType('google.protobuf.Int64Value').fieldsById[1]?.type).toBe('int64');
    expect(root.lookupType('google.protobuf.BoolValue').fieldsById[1]?.type).toBe('bool');
    expect(root.lookupType('tensorflow.TensorProto').fieldsById[4]?.name).toBe('tensor_content');
    expect(root.lookupType('tensorflow.SavedModel')).toBeDefined();
    expect(root.lookupType('tensorflow.BundleEntryProto')).toBeDefined();
  });

  it('each load on its own (every import is declared)', () => {
    for (const file of OUR_FILES) expect(() => loadRoot(PROTOS_DIR, [file])).not.toThrow();
  });

  itIfPresent(REFERENCE_DIR)(
    'are wire-compatible with the reference protos (TensorFlow, TF Serving, Open Inference)',
    () => {
      const missing = COMPARED_FILES.filter(
        (file) => !existsSync(join(REFERENCE_DIR, referencePath(file))),
      );
      expect(missing).toEqual([]);

      const oursRoot = loadRoot(PROTOS_DIR, COMPARED_FILES);
      const theirsRoot = loadRoot(REFERENCE_DIR, COMPARED_FILES.map(referencePath));
      const ours = definedIn(
        oursRoot,
        new Set(COMPARED_FILES.map((file) => join(PROTOS_DIR, file))),
      );
      const theirs = definedIn(
        theirsRoot,
        new Set(COMPARED_FILES.map((file) => join(REFERENCE_DIR, referencePath(file)))),
      );
      const theirsAnywhere = definitions(theirsRoot);

      const result: Comparison = { mismatches: [], omissions: [] };
      for (const [name, item] of ours) {
        const ref = theirsAnywhere.get(name);
        if (!ref) result.mismatches.push(`${kindOf(item)} ${name}: not in the reference`);
        else compare(item, ref, result);
      }
      for (const [name, item] of theirs) {
        if (!ours.has(name)) result.omissions.push(`${kindOf(item)} ${name}`);
      }

      expect(ours.size).toBeGreaterThan(150);
      expect(result.mismatches).toEqual([]);
      expect(result.omissions.sort()).toEqual([...ALLOWED_OMISSIONS].sort());
    },
  );

  it('define grpc.health.v1 as the gRPC health checking protocol does', () => {
    const root = loadRoot(PROTOS_DIR, HEALTH_PROTO_FILES);
    const request = root.lookupType('grpc.health.v1.HealthCheckRequest');
    expect(request.fieldsArray.map(describeField)).toEqual(['string service']);
    const response = root.lookupType('grpc.health.v1.HealthCheckResponse');
    expect(response.fieldsArray.map((field) => [field.id, describeField(field)])).toEqual([
      [1, '.grpc.health.v1.HealthCheckResponse.ServingStatus status'],
    ]);
    expect(root.lookupEnum('grpc.health.v1.HealthCheckResponse.ServingStatus').values).toEqual({
      UNKNOWN: 0,
      SERVING: 1,
      NOT_SERVING: 2,
      SERVICE_UNKNOWN: 3,
    });
    const health = root.lookupService('grpc.health.v1.Health');
    expect(
      health.methodsArray.map((m) => [m.name, m.requestType, m.responseType, !!m.responseStream]),
    ).toEqual([
      ['Check', 'HealthCheckRequest', 'HealthCheckResponse', false],
      ['Watch', 'HealthCheckRequest', 'HealthCheckResponse', true],
    ]);
    expect(health.methodsArray.some((m) => m.requestStream)).toBe(false);
  });

  it('load with @grpc/proto-loader as the gRPC server loads them', () => {
    const definition = protoLoader.loadSync(
      [...TF_SERVING_PROTO_FILES, ...OPEN_INFERENCE_PROTO_FILES, ...HEALTH_PROTO_FILES],
      {
        keepCase: true,
        longs: String,
        enums: String,
        defaults: true,
        oneofs: true,
        includeDirs: [PROTOS_DIR],
      },
    );
    const paths = (service: string): string[] =>
      Object.values(definition[service] as protoLoader.ServiceDefinition)
        .map((method) => method.path)
        .sort();
    expect(paths('tensorflow.serving.PredictionService')).toEqual(
      ['Classify', 'GetModelMetadata', 'MultiInference', 'Predict', 'Regress']
        .map((m) => `/tensorflow.serving.PredictionService/${m}`)
        .sort(),
    );
    expect(paths('tensorflow.serving.ModelService')).toEqual([
      '/tensorflow.serving.ModelService/GetModelStatus',
      '/tensorflow.serving.ModelService/HandleReloadConfigRequest',
    ]);
    expect(paths('inference.GRPCInferenceService')).toEqual(
      ['ModelInfer', 'ModelMetadata', 'ModelReady', 'ServerLive', 'ServerMetadata', 'ServerReady']
        .map((m) => `/inference.GRPCInferenceService/${m}`)
        .sort(),
    );
    expect(paths('grpc.health.v1.Health')).toEqual([
      '/grpc.health.v1.Health/Check',
      '/grpc.health.v1.Health/Watch',
    ]);
  });

  it('are the project’s own files, none identical to a reference file', () => {
    if (!existsSync(REFERENCE_DIR)) {
      console.warn(`protos.spec: ${REFERENCE_DIR} is absent; md5 comparison skipped`);
      return;
    }
    const referenceSums = new Map(listFiles(REFERENCE_DIR).map((path) => [md5(path), path]));
    const identical = listFiles(PROTOS_DIR)
      .filter((path) => referenceSums.has(md5(path)))
      .map((path) => `${relative(PROTOS_DIR, path)} = ${referenceSums.get(md5(path))}`);
    expect(identical).toEqual([]);
  });
});
