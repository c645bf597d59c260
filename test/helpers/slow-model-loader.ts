import { type LoadContext, ModelExecutor, ModelLoader, type TensorData } from 'nest-model-serving';

export interface SlowModelSettings {
  /** The model names this loader takes. */
  models: string[];
  /** How long each load takes. @defaultValue 0 */
  loadMs?: number;
  /** How long each run takes before it echoes its input. @defaultValue 0 */
  runMs?: number;
}

const SPEC = { name: 'x:0', dtype: 'float32' as const, shape: [-1] };

/** Echoes `x` as `y` once `delay` has run. */
class SlowEchoExecutor extends ModelExecutor {
  readonly backend = 'js';
  readonly signatures = {
    serving_default: {
      methodName: 'tensorflow/serving/predict',
      inputs: { x: SPEC },
      outputs: { y: SPEC },
    },
  };

  constructor(private readonly delay: () => Promise<void>) {
    super();
  }

  async run(_key: string, inputs: Readonly<Record<string, TensorData>>) {
    await this.delay();
    return { y: inputs['x']! };
  }

  dispose(): void {}
}

/**
 * A fault fake written against the library's own extension points: models whose loads and runs
 * take as long as asked, echoing `x` (float32, any length) as `y`. `settle()` ends every pending
 * wait at once, so a suite leaves no timer behind whatever the server did with the request.
 */
export class SlowModelLoader extends ModelLoader {
  readonly format = 'slow-echo';
  private readonly waits = new Set<{ timer: NodeJS.Timeout; done: () => void }>();
  /** Runs started, and runs finished. */
  started = 0;
  finished = 0;

  constructor(private readonly settings: SlowModelSettings) {
    super();
  }

  detect(context: LoadContext): boolean {
    return this.settings.models.includes(context.modelName);
  }

  async load(): Promise<ModelExecutor> {
    await this.wait(this.settings.loadMs ?? 0);
    return new SlowEchoExecutor(async () => {
      this.started++;
      await this.wait(this.settings.runMs ?? 0);
      this.finished++;
    });
  }

  /** Ends every pending load and run now. */
  settle(): void {
    for (const wait of this.waits) {
      clearTimeout(wait.timer);
      wait.done();
    }
    this.waits.clear();
  }

  private wait(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wait = {
        done: () => resolve(),
        timer: setTimeout(() => {
          this.waits.delete(wait);
          resolve();
        }, ms),
      };
      this.waits.add(wait);
    });
  }
}
