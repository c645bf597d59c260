import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { IncompleteVersionError } from '../errors/incomplete-version.error.js';
import { ModelLoadError } from '../errors/model-load.error.js';
import { ModelExecutor } from './model.executor.js';
import { type LoadContext, ModelLoader } from './model.loader.js';
import { VersionLoader } from './version-loader.js';
import { ServedModel } from './served-model.js';
import { type TensorData } from '../tensor/tensor-data.js';

/** An executor that answers its version number and records disposal. */
class FakeExecutor extends ModelExecutor {
  readonly signatures = {};
  readonly backend = 'fake';
  disposed = false;
  constructor(readonly version: number) {
    super();
  }
  run(): Promise<Record<string, TensorData>> {
    return Promise.resolve({
      v: { dtype: 'int32', shape: [], data: Int32Array.from([this.version]) },
    });
  }
  dispose(): void {
    this.disposed = true;
  }
}

/** Loads directories holding `ok`; `incomplete` and `broken` fail the way real loaders do. */
class FakeLoader extends ModelLoader {
  readonly format = 'fake';
  readonly executors: FakeExecutor[] = [];
  attempts = 0;
  detect(): boolean {
    return true;
  }
  load(context: LoadContext): Promise<ModelExecutor> {
    this.attempts++;
    if (context.files.includes('broken'))
      return Promise.reject(new ModelLoadError('broken on purpose'));
    if (!context.files.includes('ok'))
      return Promise.reject(new IncompleteVersionError('not there yet'));
    const executor = new FakeExecutor(context.version);
    this.executors.push(executor);
    return Promise.resolve(executor);
  }
}

describe('ServedModel', () => {
  let base: string;
  let loader: FakeLoader;
  const logger = new Logger('test');
  logger.localInstance.log = () => undefined;
  logger.localInstance.warn = () => undefined;
  logger.localInstance.error = () => undefined;

  const addVersion = async (version: number | string, file = 'ok') => {
    await mkdir(join(base, String(version)), { recursive: true });
    await writeFile(join(base, String(version), file), '');
  };
  const model = (
    policy: object = { latest: 1 },
    labels: Record<string, number> = {},
    maxLoadRetries = 0,
  ) =>
    new ServedModel(
      { name: 'm', basePath: base, versionPolicy: policy as never, versionLabels: labels },
      {
        versionLoader: new VersionLoader({
          loaders: [loader],
          plugins: [],
          backend: 'cpu',
          logger,
        }),
        maxLoadRetries,
        loadRetryIntervalMs: 10,
        pollIntervalMs: 10,
        logger,
      },
    );
  const states = (m: ServedModel) => m.status().map((s) => `${s.version}:${s.state}`);

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'served-model-'));
    loader = new FakeLoader();
  });
  afterEach(() => rm(base, { recursive: true, force: true }));

  it('loads the newest version, ignoring non-numeric directories', async () => {
    await addVersion(1);
    await addVersion('00000007');
    await addVersion('tmp');
    const m = model();
    await m.sync();
    expect(states(m)).toEqual(['7:AVAILABLE']);
    expect(m.acquire().version).toBe(7);
  });

  it('loads the new version before unloading the old one, and the old one waits for its requests', async () => {
    await addVersion(1);
    const m = model();
    await m.sync();
    const held = m.acquire();
    await addVersion(2);
    await m.sync();
    expect(states(m)).toEqual(['2:AVAILABLE', '1:UNLOADING']);
    expect(m.acquire().version).toBe(2);
    expect(() => m.acquire({ version: 1 })).toThrow(
      'Servable not found for request: Specific(m, 1)',
    );
    expect(loader.executors[0]!.disposed).toBe(false);
    held.release();
    held.release();
    await new Promise((r) => setImmediate(r));
    expect(states(m)).toEqual(['2:AVAILABLE', '1:END']);
    expect(loader.executors[0]!.disposed).toBe(true);
  });

  it('keeps the old version when the new one fails, and reports the failure', async () => {
    await addVersion(1);
    const m = model();
    await m.sync();
    await addVersion(2, 'broken');
    await m.sync();
    expect(m.status()).toEqual([
      { version: 2, state: 'END', error: { code: 3, message: 'broken on purpose' } },
      { version: 1, state: 'AVAILABLE' },
    ]);
    expect(m.acquire().version).toBe(1);
  });

  it('retries an incomplete version until it is complete', async () => {
    await addVersion(1, 'partial');
    const m = model({ latest: 1 }, {}, 50);
    await m.sync();
    expect(states(m)).toEqual(['1:LOADING']);
    expect(() => m.acquire()).toThrow('Servable not found for request: Latest(m)');
    await writeFile(join(base, '1', 'ok'), '');
    for (let i = 0; i < 100 && !m.ready; i++) await new Promise((r) => setTimeout(r, 10));
    expect(states(m)).toEqual(['1:AVAILABLE']);
    expect(loader.attempts).toBeGreaterThan(1);
  });

  it('ends an incomplete version after maxLoadRetries', async () => {
    await addVersion(1, 'partial');
    const m = model({ latest: 1 }, {}, 2);
    await m.sync();
    for (let i = 0; i < 100 && m.status()[0]!.state !== 'END'; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(m.status()).toEqual([
      { version: 1, state: 'END', error: { code: 14, message: 'not there yet' } },
    ]);
    expect(loader.attempts).toBe(3);
  });

  it('serves every version with all, specific ones with specific, and resolves labels to available versions', async () => {
    await addVersion(1);
    await addVersion(2);
    await addVersion(3);
    const all = model({ all: true }, { stable: 2, future: 9 });
    await all.sync();
    expect(states(all)).toEqual(['3:AVAILABLE', '2:AVAILABLE', '1:AVAILABLE']);
    expect(all.acquire({ label: 'stable' }).version).toBe(2);
    // As TF Serving, a label to a version that is not AVAILABLE is not assigned.
    expect(() => all.acquire({ label: 'future' })).toThrow(
      'Unrecognized servable version label: future',
    );
    expect(() => all.acquire({ label: 'nope' })).toThrow(
      'Unrecognized servable version label: nope',
    );
    const specific = model({ specific: [1, 3] });
    await specific.sync();
    expect(states(specific)).toEqual(['3:AVAILABLE', '1:AVAILABLE']);
  });

  it('unloads everything on stop, after in-flight requests', async () => {
    await addVersion(1);
    const m = model();
    await m.sync();
    const lease = m.acquire();
    let stopped = false;
    const stopping = m.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(stopped).toBe(false);
    lease.release();
    await stopping;
    expect(states(m)).toEqual(['1:END']);
    expect(loader.executors[0]!.disposed).toBe(true);
  });

  it('says which versions it cannot find', async () => {
    const m = model();
    await m.sync();
    expect(() => m.status()).toThrow('Could not find any versions of model m');
    await addVersion(1);
    await m.sync();
    expect(() => m.status(4)).toThrow('Could not find version 4 of model m');
  });
});

describe('ServedModel names the mistakes it finds', () => {
  let dir: string;
  let warnings: string[];
  const recorder = {
    log: () => undefined,
    error: () => undefined,
    warn: (message: string) => warnings.push(message),
  } as unknown as Logger;
  const served = (
    basePath: string,
    maxLoadRetries = 0,
    loadRetryIntervalMs = 60_000,
    versionLabels: Record<string, number> = {},
    allowVersionLabelsForUnavailableModels = false,
  ) =>
    new ServedModel(
      { name: 'm', basePath, versionPolicy: { all: true }, versionLabels },
      {
        allowVersionLabelsForUnavailableModels,
        versionLoader: new VersionLoader({
          loaders: [new FakeLoader()],
          plugins: [],
          backend: 'cpu',
          logger: recorder,
        }),
        maxLoadRetries,
        loadRetryIntervalMs,
        pollIntervalMs: 10,
        logger: recorder,
      },
    );

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'served-model-mistakes-'));
    warnings = [];
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('warns once, naming the path, when model files sit directly under the base path', async () => {
    await writeFile(join(dir, 'model.json'), '{}');
    const m = served(dir);
    await m.sync();
    await m.sync();
    expect(warnings).toEqual([
      `No versions of model m found: model files directly under the base path ${dir} (model.json): move them into a version directory such as 1/`,
    ]);
    await m.stop();
  });

  it('points a base path that is itself a version directory at its parent', async () => {
    const version = join(dir, '00000123');
    await mkdir(version);
    const m = served(version);
    await m.sync();
    expect(warnings).toEqual([
      `No versions of model m found: its base path ${version} is itself a version directory: use its parent ${dir} as the base path`,
    ]);
    await m.stop();
  });

  it('names a missing base path, and says when the base path is a file', async () => {
    const missing = join(dir, 'nope');
    const file = join(dir, 'a-file');
    await writeFile(file, '');
    const a = served(missing);
    const b = served(file);
    await a.sync();
    await b.sync();
    expect(warnings).toEqual([
      `No versions of model m found: its base path ${missing} does not exist`,
      `No versions of model m found: its base path ${file} is a file, not a directory of versions`,
    ]);
    await a.stop();
    await b.stop();
  });

  it('shows the last error on the status and in a WARN while a failing version is retried', async () => {
    await mkdir(join(dir, '1'));
    await writeFile(join(dir, '1', 'broken'), '');
    const m = served(dir, 5);
    await m.sync();
    const [status] = m.status();
    expect(status).toMatchObject({ version: 1, state: 'LOADING' });
    expect(JSON.stringify(status)).toContain('broken on purpose');
    expect(warnings).toEqual([
      'Model m version 1 failed to load (try 1 of 6), retrying in 60000 ms: broken on purpose',
    ]);
    await m.stop();
  });

  it('assigns a label once its version is AVAILABLE and refuses, once, one whose version is not there', async () => {
    await mkdir(join(dir, '1'));
    await writeFile(join(dir, '1', 'ok'), '');
    const m = served(dir, 0, 60_000, { stable: 1, future: 9 });
    await m.sync();
    await m.sync();
    const lease = m.acquire({ label: 'stable' });
    expect(lease.version).toBe(1);
    lease.release();
    expect(() => m.acquire({ label: 'future' })).toThrow(
      'Unrecognized servable version label: future',
    );
    expect(warnings).toEqual([
      'Request to assign label future to version 9 of model m, which is not currently available for inference: the label is not assigned until the version is AVAILABLE (allowVersionLabelsForUnavailableModels allows it)',
    ]);
    await m.stop();
  });

  it('assigns labels to unavailable versions with allowVersionLabelsForUnavailableModels', async () => {
    await mkdir(join(dir, '1'));
    await writeFile(join(dir, '1', 'ok'), '');
    const m = served(dir, 0, 60_000, { future: 9 }, true);
    await m.sync();
    expect(() => m.acquire({ label: 'future' })).toThrow(
      'Servable not found for request: Specific(m, 9)',
    );
    expect(warnings).toEqual([]);
    await m.stop();
  });
});
