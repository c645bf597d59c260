// Jest runs each suite in a VM context with its own typed-array constructors, while native
// addons (onnxruntime-node) create their arrays in the main context; a library's `instanceof
// Float32Array` then fails on values that are Float32Arrays. A Node process has one realm, so
// the suites get the main context's constructors, as the library sees them in production.
import { TestEnvironment } from 'jest-environment-node';

const SHARED_GLOBALS = [
  'ArrayBuffer',
  'SharedArrayBuffer',
  'DataView',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
];

export default class SingleRealmEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED_GLOBALS) this.global[name] = globalThis[name];
  }
}
