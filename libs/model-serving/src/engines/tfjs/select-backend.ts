import { Logger } from '@nestjs/common';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { type BackendName } from '../../config/model-serving-options.interface.js';
import { ModelServingConfigError } from '../../errors/model-serving-config.error.js';

const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

/**
 * Loads an optional package. Both "module not found" and a native addon that fails to load
 * mean "not installed" here; the reason is returned for the log.
 */
async function tryImport(name: string): Promise<string | undefined> {
  try {
    await import(name);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message.split('\n')[0] : String(error);
  }
}

async function activate(name: string): Promise<boolean> {
  try {
    // setBackend resolves false (and tfjs quietly keeps another backend) when init fails.
    return (await tf.setBackend(name)) && tf.getBackend() === name;
  } catch {
    return false;
  }
}

async function tryNative(logger: Logger): Promise<string | undefined> {
  for (const pkg of NATIVE_PACKAGES) {
    const failure = await tryImport(pkg);
    if (failure === undefined && (await activate('tensorflow'))) return pkg;
    logger.debug(`${pkg} is not usable: ${failure ?? 'the tensorflow backend did not start'}`);
  }
  return undefined;
}

async function tryWasm(logger: Logger): Promise<boolean> {
  const failure = await tryImport('@tensorflow/tfjs-backend-wasm');
  if (failure !== undefined) {
    logger.warn(`@tensorflow/tfjs-backend-wasm could not be loaded: ${failure}`);
    return false;
  }
  return activate('wasm');
}

let selection: Promise<string> | undefined;
let selectedFor: BackendName | undefined;

/**
 * Activates the engine once per process and logs which one runs. `auto` prefers native
 * TensorFlow (tfjs-node-gpu, then tfjs-node) when installed, then WASM, then CPU.
 */
export function selectBackend(requested: BackendName): Promise<string> {
  if (selection && selectedFor === requested) return selection;
  selectedFor = requested;
  selection = doSelect(requested);
  return selection;
}

/**
 * Keeps TensorFlow.js quiet unless the log level is verbose: its warnings (among them the
 * "looks like you are running TensorFlow.js in Node.js" banner of the CPU backend) go straight
 * to the console, past Nest's Logger, and tfjs prints them only while its `PROD` flag is off.
 */
function quietTfjs(logger: Logger): void {
  const verbose = Logger.isLevelEnabled('verbose');
  tf.env().set('PROD', !verbose);
  if (verbose) logger.verbose("TensorFlow.js's own warnings print on the console");
}

async function doSelect(requested: BackendName): Promise<string> {
  const logger = new Logger('ModelServingBackend');
  quietTfjs(logger);
  let chosen: string | undefined;
  switch (requested) {
    case 'tensorflow': {
      const pkg = await tryNative(logger);
      if (!pkg) {
        throw new ModelServingConfigError(
          'backend: "tensorflow" needs @tensorflow/tfjs-node or @tensorflow/tfjs-node-gpu installed and loadable; use "auto", "wasm" or "cpu" otherwise',
        );
      }
      chosen = `tensorflow (${pkg})`;
      break;
    }
    case 'wasm':
      if (!(await tryWasm(logger))) {
        throw new ModelServingConfigError(
          'backend: "wasm" could not be started (see the log above)',
        );
      }
      chosen = 'wasm';
      break;
    case 'cpu':
      if (!(await activate('cpu')))
        throw new ModelServingConfigError('backend: "cpu" could not be started');
      chosen = 'cpu';
      break;
    case 'auto': {
      const pkg = await tryNative(logger);
      if (pkg) chosen = `tensorflow (${pkg})`;
      else if (await tryWasm(logger)) chosen = 'wasm';
      else if (await activate('cpu')) chosen = 'cpu';
      else throw new ModelServingConfigError('backend: no TensorFlow.js backend could be started');
      break;
    }
  }
  const simd =
    tf.getBackend() === 'wasm'
      ? ` (SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'on' : 'off'})`
      : '';
  logger.log(`TensorFlow.js backend: ${chosen}${simd}, requested '${requested}'`);
  if (!chosen.startsWith('tensorflow')) {
    // What tfjs's silenced banner said, at debug level.
    logger.debug(
      'Installing @tensorflow/tfjs-node (or -gpu) runs models on native TensorFlow, usually faster',
    );
  }
  return tf.getBackend();
}
