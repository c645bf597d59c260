import { type InferenceObserver } from '../../models/inference-observer.js';
import { type InferenceService } from '../../models/inference.service.js';
import { type ModelRegistry } from '../../models/model.registry.js';
import { PredictionLogSubscriber } from './prediction-log.subscriber.js';

/** The two sides the subscriber talks to: config changes in, observers out. */
function wiring() {
  const observers = new Set<InferenceObserver>();
  let configs: { name: string; predictionLog?: object }[] = [];
  let listener: (() => void) | undefined;
  const registry = {
    onConfig: (l: () => void) => ((listener = l), () => (listener = undefined)),
    configs: () => configs,
    config: (name: string) => configs.find((c) => c.name === name),
  } as unknown as ModelRegistry;
  const inference = {
    addObserver: (o: InferenceObserver) => (observers.add(o), () => observers.delete(o)),
  } as unknown as InferenceService;
  const apply = (next: typeof configs) => {
    configs = next;
    listener?.();
  };
  return { observers, registry, inference, apply, listening: () => listener !== undefined };
}

describe('PredictionLogSubscriber', () => {
  it('is on the run path exactly while a served model has a predictionLog', async () => {
    const w = wiring();
    const subscriber = new PredictionLogSubscriber(w.inference, w.registry);
    subscriber.onModuleInit();
    w.apply([{ name: 'a' }]);
    expect(w.observers.size).toBe(0);
    const log = { filenamePrefix: '/l', samplingRate: 1 };
    w.apply([{ name: 'a' }, { name: 'b', predictionLog: log }]);
    expect([...w.observers]).toEqual([subscriber.observer]);
    w.apply([
      { name: 'b', predictionLog: log },
      { name: 'c', predictionLog: log },
    ]);
    expect(w.observers.size).toBe(1);
    w.apply([{ name: 'a' }]);
    expect(w.observers.size).toBe(0);
    w.apply([{ name: 'b', predictionLog: log }]);
    await subscriber.onApplicationShutdown();
    expect(w.observers.size).toBe(0);
    expect(w.listening()).toBe(false);
  });
});
