import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { get, post } from './helpers/http.js';
import { copySampleVersion, tempDir, waitFor } from './helpers/model-dirs.js';
import { SAMPLE_MODELS } from './helpers/paths.js';
import { type ServingApp, startServingApp } from './helpers/serving-app.js';

const FLOWER = JSON.stringify({ instances: [[6.3, 2.8, 5.1, 1.5]] });

interface Status {
  version: string;
  state: string;
  status: { error_code: string; error_message: string };
}

describe('version transitions', () => {
  let base: { path: string; cleanup: () => Promise<void> };
  let serving: ServingApp;
  const expected: Record<number, unknown> = {};

  const statuses = async (): Promise<Status[]> =>
    (await get(`${serving.url}/v1/models/iris`)).json.model_version_status;
  const stateOf = async (version: number) =>
    (await statuses()).find((s) => s.version === String(version))?.state;
  const predict = () => post(`${serving.url}/v1/models/iris:predict`, FLOWER);

  beforeAll(async () => {
    base = await tempDir('iris-versions');
    await copySampleVersion('iris', 1, join(base.path, '1'));
    serving = await startServingApp({
      models: [{ name: 'iris', basePath: base.path }],
      pollIntervalMs: 100,
      maxLoadRetries: 20,
      loadRetryIntervalMs: 100,
    });
  });

  afterAll(async () => {
    await serving.app.close();
    await base.cleanup();
  });

  it('serves the one version present', async () => {
    const res = await predict();
    expect(res.status).toBe(200);
    expected[1] = res.json;
    expect(await statuses()).toEqual([
      { version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } },
    ]);
  });

  it('swaps v1 for v2 under traffic with no failed request', async () => {
    const failures: string[] = [];
    const seen: unknown[] = [];
    let running = true;
    const loop = (async () => {
      // Bounded in time: the swap below must finish within waitFor's 10 s.
      for (const end = Date.now() + 20_000; running && Date.now() < end;) {
        const res = await predict();
        if (res.status !== 200) failures.push(`${res.status} ${res.text}`);
        else seen.push(res.json);
      }
    })();
    await new Promise((r) => setTimeout(r, 150));
    await copySampleVersion('iris', 2, join(base.path, '2'));
    await waitFor(async () =>
      (await stateOf(2)) === 'AVAILABLE' && (await stateOf(1)) === 'END' ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 150));
    running = false;
    await loop;
    expect(failures).toEqual([]);
    expected[2] = (await predict()).json;
    expect(expected[2]).not.toEqual(expected[1]);
    // The loop saw v1 answers, then only v2 answers: no old version ever came back.
    const text = seen.map((x) => JSON.stringify(x));
    const firstV2 = text.indexOf(JSON.stringify(expected[2]));
    expect(firstV2).toBeGreaterThan(0);
    expect(text.slice(0, firstV2).every((t) => t === JSON.stringify(expected[1]))).toBe(true);
    expect(text.slice(firstV2).every((t) => t === JSON.stringify(expected[2]))).toBe(true);
  });

  it('does not load a half-copied version until it is complete', async () => {
    const dir = join(base.path, '3');
    await mkdir(dir);
    const modelJson = await readFile(join(SAMPLE_MODELS, 'iris', '2', 'model.json'));
    const weights = await readFile(join(SAMPLE_MODELS, 'iris', '2', 'weights.bin'));
    await writeFile(join(dir, 'model.json'), modelJson);
    await writeFile(join(dir, 'weights.bin'), weights.subarray(0, 100));
    await waitFor(async () => ((await stateOf(3)) === 'LOADING' ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    expect(await stateOf(3)).toBe('LOADING');
    expect((await predict()).json).toEqual(expected[2]);
    await writeFile(join(dir, 'weights.bin'), weights);
    await waitFor(async () => ((await stateOf(3)) === 'AVAILABLE' ? true : undefined));
    await waitFor(async () => ((await stateOf(2)) === 'END' ? true : undefined));
    expect((await predict()).json).toEqual(expected[2]);
  });

  it('reports a corrupt version and keeps serving the previous one', async () => {
    const dir = join(base.path, '4');
    await mkdir(dir);
    await writeFile(join(dir, 'model.json'), '{"format": "layers-model", "modelTopology": ');
    const failed = await waitFor(async () => {
      const s = (await statuses()).find((x) => x.version === '4');
      return s?.state === 'END' ? s : undefined;
    });
    expect(failed.status.error_code).toBe('INVALID_ARGUMENT');
    expect(failed.status.error_message).toContain(
      "model 'iris' version 4: model.json is not valid JSON",
    );
    expect(await stateOf(3)).toBe('AVAILABLE');
    expect((await predict()).status).toBe(200);
  });

  it('unloads a removed version and falls back to the newest remaining one', async () => {
    await rm(join(base.path, '4'), { recursive: true });
    await rm(join(base.path, '3'), { recursive: true });
    await waitFor(async () =>
      (await stateOf(2)) === 'AVAILABLE' && (await stateOf(3)) === 'END' ? true : undefined,
    );
    expect((await predict()).json).toEqual(expected[2]);
    const res = await post(`${serving.url}/v1/models/iris/versions/3:predict`, FLOWER);
    expect(res.status).toBe(404);
    expect(res.json.error).toBe('Servable not found for request: Specific(iris, 3)');
  });
});
