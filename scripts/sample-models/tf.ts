// The TensorFlow.js entry points the sample-model builders use: pure JS, CPU backend only.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';

export { tf };

/** Selects the CPU backend (deterministic, no native bindings). Safe to call repeatedly. */
export async function useCpuBackend(): Promise<void> {
  if (tf.getBackend() !== 'cpu') {
    const ok = await tf.setBackend('cpu');
    if (!ok) {
      throw new Error('could not initialise the TensorFlow.js CPU backend');
    }
  }
  await tf.ready();
}
