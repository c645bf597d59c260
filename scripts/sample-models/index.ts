// Builders of the sample models served by the sample app and used by the end-to-end tests.
export {
  HALF_PLUS_TWO_SIGNATURE,
  HALF_PLUS_TWO_WEIGHTS,
  predictHalfPlusTwo,
  verifyHalfPlusTwo,
  writeHalfPlusTwo,
} from './half-plus-two.js';
export {
  buildIrisModel,
  IRIS_CLASSES,
  IRIS_FEATURES,
  IRIS_INPUT,
  IRIS_OUTPUT,
  IRIS_WEIGHTS,
  loadedIrisAccuracy,
  IRIS_EPOCHS,
  irisAccuracy,
  irisDataset,
  trainIris,
  trainIrisModel,
  writeLayersModel,
  type IrisDataset,
  type IrisTrainingOptions,
} from './iris.js';
export { fileLoadHandler, MODEL_JSON, readModelJson, writeModelArtifacts } from './model-io.js';
export { tf, useCpuBackend } from './tf.js';
