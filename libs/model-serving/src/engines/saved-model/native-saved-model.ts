/*
 * The native SavedModel path: with `backend: 'tensorflow'`, SavedModels run on libtensorflow
 * through tfjs-node's `tf.node.loadSavedModel` instead of the TypeScript translation.
 *
 * UNVERIFIED HERE: tfjs-node (libtensorflow) cannot be installed on the machines this library
 * is developed and tested on, so this path has never run against the real package. What is
 * tested is the selection logic and the executor, against stubs of the small interfaces below
 * (which tfjs-node 4.x's `tf.node` namespace and `TFSavedModel` match by their documented API).
 */
import { type BackendName } from '../../config/model-serving-options.interface.js';
import { GrpcStatusCode } from '../../errors/grpc-status-code.js';
import { ModelLoadError } from '../../errors/model-load.error.js';
import {
  NativeSavedModelExecutor,
  type NativeSignatureModel,
} from './native-saved-model.executor.js';

export type { NativeSignatureModel } from './native-saved-model.executor.js';
import { signatureSpecs } from './signature-specs.js';
import { type SignatureDefMsg } from './tf-messages.js';

/** What the loader needs of a native engine; tfjs-node's `tf.node` namespace has this shape. */
export interface NativeSavedModelApi {
  /** Loads signature `signature` of the MetaGraph tagged `tags` (one session per path and tags). */
  loadSavedModel(path: string, tags: string[], signature: string): Promise<NativeSignatureModel>;
}

/** Loads an optional package by name (a variable, so no bundler or type checker needs it). */
export type PackageImporter = (name: string) => Promise<unknown>;

/** The packages that provide `tf.node.loadSavedModel`, in the order `selectBackend` tries them. */
export const NATIVE_SAVED_MODEL_PACKAGES: readonly string[] = [
  '@tensorflow/tfjs-node-gpu',
  '@tensorflow/tfjs-node',
];

const importPackage: PackageImporter = (name) => import(name);

/** Why an import failed, without the importing file's path. */
function importFailure(error: unknown): string {
  const code = (error as { code?: string } | null)?.code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return 'not installed';
  return error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
}

/** The `node` namespace of an imported tfjs-node (CommonJS: possibly under `default`). */
function nodeApi(module: unknown): NativeSavedModelApi | undefined {
  const candidates = [module, (module as { default?: unknown } | null)?.default];
  for (const candidate of candidates) {
    const node = (candidate as { node?: Partial<NativeSavedModelApi> } | null)?.node;
    if (typeof node?.loadSavedModel === 'function') return node as NativeSavedModelApi;
  }
  return undefined;
}

/**
 * Decides how a SavedModel version runs: natively when the options ask for the `tensorflow`
 * backend, through the TypeScript translation otherwise (`auto` too, which may run that
 * translation on tfjs-node's kernels). With `tensorflow`, the first package of
 * {@link NATIVE_SAVED_MODEL_PACKAGES} that imports and has `node.loadSavedModel` is used; there
 * is no quiet fallback to the translation, since `tensorflow` asked for libtensorflow.
 * @returns the native API, or undefined for the translation.
 * @throws ModelLoadError FAILED_PRECONDITION when `tensorflow` is asked for and no package fits.
 */
export async function selectNativeSavedModel(
  backend: BackendName,
  importer: PackageImporter = importPackage,
): Promise<NativeSavedModelApi | undefined> {
  if (backend !== 'tensorflow') return undefined;
  const reasons: string[] = [];
  for (const name of NATIVE_SAVED_MODEL_PACKAGES) {
    let module: unknown;
    try {
      module = await importer(name);
    } catch (error) {
      reasons.push(`${name}: ${importFailure(error)}`);
      continue;
    }
    const api = nodeApi(module);
    if (api) return api;
    reasons.push(`${name}: has no node.loadSavedModel`);
  }
  throw new ModelLoadError(
    `backend 'tensorflow' runs SavedModels with tfjs-node's tf.node.loadSavedModel, which could not be loaded (${reasons.join('; ')}); install @tensorflow/tfjs-node, or use backend 'auto', 'wasm' or 'cpu' to run the SavedModel in TypeScript`,
    GrpcStatusCode.FAILED_PRECONDITION,
  );
}

/**
 * Loads every servable signature of the MetaGraph with the native API and wraps them in one
 * executor. The signatures (and metadata) come from the same `saved_model.pb` decoding as the
 * TypeScript path, so both answer alike; the init op and sparse or composite signatures stay
 * in the metadata and answer UNIMPLEMENTED.
 * @throws ModelLoadError naming the signature the native engine refused (nothing stays loaded).
 */
export async function loadNativeSavedModel(
  api: NativeSavedModelApi,
  directory: string,
  tags: readonly string[],
  defs: Readonly<Record<string, SignatureDefMsg>>,
): Promise<NativeSavedModelExecutor> {
  const { signatures, unavailable } = signatureSpecs(defs);
  const models = new Map<string, NativeSignatureModel>();
  try {
    for (const key of Object.keys(signatures)) {
      if (unavailable.has(key)) continue;
      try {
        models.set(key, await api.loadSavedModel(directory, [...tags], key));
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new ModelLoadError(
          `tfjs-node's loadSavedModel refused signature '${key}': ${reason}`,
          GrpcStatusCode.INTERNAL,
        );
      }
    }
  } catch (error) {
    for (const model of models.values()) model.dispose();
    throw error;
  }
  return new NativeSavedModelExecutor(signatures, models, unavailable);
}
