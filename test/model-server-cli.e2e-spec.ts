import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  call,
  type makeClient,
  predictionClient,
  REFERENCE_PROTOS,
} from './helpers/grpc-client.js';
import { get, post, request } from './helpers/http.js';
import { freePort } from './helpers/free-port.js';
import { tempDir, waitFor } from './helpers/model-dirs.js';
import {
  runModelServer,
  type ModelServerRun,
  waitForOutput,
} from './helpers/model-server-process.js';
import { describeIfPresent, itIfPresent, ROOT, SAMPLE_MODELS, SHARED } from './helpers/paths.js';

async function stop(run: ModelServerRun): Promise<number | null> {
  if (run.child.exitCode === null) run.child.kill('SIGTERM');
  return run.exit;
}

describe('model-server command', () => {
  it('lists served and accepted flags with --help', async () => {
    const run = runModelServer(['--help']);
    expect(await run.exit).toBe(0);
    expect(run.output()).toContain('--model_base_path=string');
    expect(run.output()).toContain('--port=int (default 8500)');
    expect(run.output()).toContain(
      '--enable_per_model_batching_parameters=bool\n      not served yet: every model batches with --batching_parameters_file',
    );
    expect(run.output()).toContain('--rest_api_port=int (default 8501)');
    expect(run.output()).toContain('--enable_model_warmup=bool (default true)');
    expect(run.output()).toContain('--log_level=string (default log)');
  });

  it('prints its version with --version', async () => {
    const run = runModelServer(['--version']);
    expect(await run.exit).toBe(0);
    const pkg = JSON.parse(
      await readFile(join(ROOT, 'libs', 'model-serving', 'package.json'), 'utf8'),
    ) as { version: string };
    expect(run.output()).toBe(`model-server (nest-model-serving) ${pkg.version}\n`);
  });

  it.each([
    [['--nope=1'], 'unknown flag --nope'],
    [
      ['--model_base_path=/tmp/x', '--rest_api_port=abc'],
      '--rest_api_port takes an integer, got "abc"',
    ],
    [
      ['--model_base_path=/tmp/x', '--enable_batching=maybe'],
      '--enable_batching takes true or false',
    ],
    [['--rest_api_port=1'], 'give --model_base_path or --model_config_file'],
    [['--model_base_path'], '--model_base_path needs a value'],
    [['--model_base_path=/tmp/x', '--log_level=info'], '--log_level takes error, warn, log'],
    [
      ['--model_base_path=/tmp/x', '--port=0', '--rest_api_port=0'],
      '--port=0 and --rest_api_port=0 leave nothing to serve',
    ],
  ])('exits 2 on %j', async (args, message) => {
    const run = runModelServer(args);
    expect(await run.exit).toBe(2);
    expect(run.output()).toContain(message);
  });

  it('serves a model from --model_base_path and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const run = runModelServer([
      `--model_base_path=${join(SAMPLE_MODELS, 'half_plus_two')}`,
      '--model_name',
      'half_plus_two',
      `--rest_api_port=${port}`,
      '--rest_api_host=127.0.0.1',
      '--port=0',
      // TF Serving flags this server does not serve yet: accepted, each with a warning.
      '--enable_per_model_batching_parameters',
      '--ssl_config_file=/etc/ssl.config',
      '--tensorflow_intra_op_parallelism=2',
      '--tensorflow_inter_op_parallelism=2',
      '--per_process_gpu_memory_fraction=0.5',
      '--grpc_channel_arguments=grpc.max_connection_age_ms=1000',
      '--enable_model_warmup=false',
    ]);
    try {
      const [, url] = await waitForOutput(run, /REST listening on (\S+)/);
      expect(url).toBe(`http://127.0.0.1:${port}`);
      for (const warning of [
        '--enable_per_model_batching_parameters is not served yet: every model batches with --batching_parameters_file (per model: the module option)',
        '--ssl_config_file is not served yet: gRPC stays plaintext',
        '--tensorflow_intra_op_parallelism is not served yet: TensorFlow.js picks its own threads',
        '--per_process_gpu_memory_fraction is not served yet: GPU memory is not capped',
        "--grpc_channel_arguments is not served yet: gRPC runs with grpc-js's defaults",
      ]) {
        expect(run.output()).toContain(warning);
      }
      expect(run.output()).not.toContain('--enable_model_warmup is not served');
      const res = await post(
        `http://127.0.0.1:${port}/v1/models/half_plus_two:predict`,
        '{"instances": [1.0, 2.0, 5.0]}',
      );
      expect(res.text).toBe('{\n    "predictions": [2.5, 3.0, 4.5\n    ]\n}');
    } finally {
      expect(await stop(run)).toBe(0);
    }
    expect(run.output()).toContain('SIGTERM received');
    expect(run.output()).toContain('Model half_plus_two version 1 has ended');
  });

  it.each([[['--enable_batching', '--workers=0']], [['--enable_batching', '--workers=2']]])(
    'batches with %j: auto-tuned at load, then serves',
    async (flags) => {
      const port = await freePort();
      const run = runModelServer([
        `--model_base_path=${join(SAMPLE_MODELS, 'half_plus_two')}`,
        '--model_name=half_plus_two',
        `--rest_api_port=${port}`,
        '--rest_api_host=127.0.0.1',
        '--port=0',
        ...flags,
      ]);
      try {
        await waitForOutput(run, /REST listening on/);
        expect(run.output()).toMatch(
          /model 'half_plus_two' version 1 batching picked from its cost curve on 'serving_default'/,
        );
        const answers = await Promise.all(
          [1, 2, 3, 4].map((x) =>
            post(
              `http://127.0.0.1:${port}/v1/models/half_plus_two:predict`,
              `{"instances": [${x}]}`,
            ),
          ),
        );
        expect(answers.map((a) => a.json)).toEqual(
          [2.5, 3, 3.5, 4].map((y) => ({ predictions: [y] })),
        );
      } finally {
        expect(await stop(run)).toBe(0);
      }
    },
  );

  it('serves Prometheus metrics with --monitoring_config_file, as TF Serving', async () => {
    const dir = await tempDir('monitoring');
    const config = join(dir.path, 'monitoring.config');
    await writeFile(config, 'prometheus_config {\n  enable: true\n}\n');
    const port = await freePort();
    const run = runModelServer([
      `--model_base_path=${join(SAMPLE_MODELS, 'half_plus_two')}`,
      '--model_name=half_plus_two',
      `--rest_api_port=${port}`,
      '--rest_api_host=127.0.0.1',
      '--port=0',
      `--monitoring_config_file=${config}`,
    ]);
    try {
      await waitForOutput(run, /REST listening on/);
      const url = `http://127.0.0.1:${port}`;
      await post(`${url}/v1/models/half_plus_two:predict`, '{"instances": [1]}');
      const scraped = await get(`${url}/monitoring/prometheus/metrics`);
      expect(scraped.status).toBe(200);
      expect(scraped.text).toContain(
        ':tensorflow:serving:request_count{model_name="half_plus_two",status="OK"} 1',
      );
      expect(run.output()).not.toContain('--monitoring_config_file is not served');
    } finally {
      expect(await stop(run)).toBe(0);
      await dir.cleanup();
    }
  });

  it('guards every route with --auth_config_file, keys read relative to the file', async () => {
    const dir = await tempDir('auth-config');
    const KEY = 'cli-auth-config-key-0001';
    await writeFile(join(dir.path, 'keys.json'), JSON.stringify([{ id: 'ops', key: KEY }]));
    await writeFile(
      join(dir.path, 'auth.json'),
      JSON.stringify({ apiKeysFile: 'keys.json', publicMetrics: false }),
    );
    await writeFile(join(dir.path, 'monitoring.config'), 'prometheus_config { enable: true }\n');
    const port = await freePort();
    const run = runModelServer([
      `--model_base_path=${join(SAMPLE_MODELS, 'half_plus_two')}`,
      '--model_name=half_plus_two',
      `--rest_api_port=${port}`,
      '--rest_api_host=127.0.0.1',
      '--port=0',
      `--auth_config_file=${join(dir.path, 'auth.json')}`,
      `--monitoring_config_file=${join(dir.path, 'monitoring.config')}`,
    ]);
    try {
      await waitForOutput(run, /REST listening on/);
      const url = `http://127.0.0.1:${port}`;
      const body = '{"instances": [1.0, 2.0, 5.0]}';
      const anonymous = await request('POST', `${url}/v1/models/half_plus_two:predict`, body);
      expect(anonymous.status).toBe(401);
      expect(Object.keys(anonymous.json as object)).toEqual(['error']);
      const keyed = await request('POST', `${url}/v1/models/half_plus_two:predict`, body, {
        'x-api-key': KEY,
      });
      expect(keyed.text).toBe('{\n    "predictions": [2.5, 3.0, 4.5\n    ]\n}');
      expect((await get(`${url}/monitoring/prometheus/metrics`)).status).toBe(401);
      const scraped = await request('GET', `${url}/monitoring/prometheus/metrics`, undefined, {
        authorization: `Bearer ${KEY}`,
      });
      expect(scraped.text).toContain(
        ':tensorflow:serving:request_count{model_name="half_plus_two",status="OK"} 1',
      );
      expect((await get(`${url}/readyz`)).status).toBe(200);
      expect(run.output()).not.toContain(KEY);
    } finally {
      expect(await stop(run)).toBe(0);
      await dir.cleanup();
    }
  });

  it('adds and removes models when the config file changes', async () => {
    const dir = await tempDir('model-config');
    const config = join(dir.path, 'models.config');
    const entry = (name: string) =>
      `  config {\n    name: "${name}"\n    base_path: "${join(SAMPLE_MODELS, name)}"\n    model_platform: "tensorflow"\n  }\n`;
    await writeFile(config, `model_config_list {\n${entry('half_plus_two')}}\n`);
    const port = await freePort();
    const run = runModelServer([
      `--model_config_file=${config}`,
      '--model_config_file_poll_wait_seconds=1',
      `--rest_api_port=${port}`,
      '--rest_api_host=127.0.0.1',
      '--port=0',
    ]);
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitForOutput(run, /REST listening on/);
      expect((await get(`${url}/v1/models/half_plus_two`)).status).toBe(200);
      expect((await get(`${url}/v1/models/iris`)).status).toBe(404);

      await writeFile(config, `model_config_list {\n${entry('half_plus_two')}${entry('iris')}}\n`);
      await waitFor(
        async () => ((await get(`${url}/v1/models/iris`)).status === 200 ? true : undefined),
        15_000,
        200,
      );
      const iris = await post(
        `${url}/v1/models/iris:predict`,
        '{"instances": [[5.1, 3.5, 1.4, 0.2]]}',
      );
      const p = iris.json.predictions[0] as number[];
      expect(p).toHaveLength(3);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(p.indexOf(Math.max(...p))).toBe(0); // setosa

      await writeFile(config, `model_config_list {\n${entry('iris')}}\n`);
      await waitFor(
        async () =>
          (await get(`${url}/v1/models/half_plus_two`)).status === 404 ? true : undefined,
        15_000,
        200,
      );
      expect(
        (await post(`${url}/v1/models/half_plus_two:predict`, '{"instances": [1]}')).status,
      ).toBe(404);

      // A broken file is reported and the served models stay.
      await writeFile(config, 'model_config_list { config { name: ');
      await waitForOutput(run, /Model config file not reloaded/);
      expect((await get(`${url}/v1/models/iris`)).status).toBe(200);
    } finally {
      expect(await stop(run)).toBe(0);
      await dir.cleanup();
    }
  });

  itIfPresent(REFERENCE_PROTOS)('serves gRPC only with --rest_api_port=0', async () => {
    const grpcPort = await freePort();
    const run = runModelServer([
      `--model_base_path=${join(SAMPLE_MODELS, 'half_plus_two')}`,
      `--port=${grpcPort}`,
      '--grpc_host=127.0.0.1',
      '--rest_api_port=0',
    ]);
    let client: ReturnType<typeof makeClient> | undefined;
    try {
      client = predictionClient(`127.0.0.1:${grpcPort}`);
      await waitForOutput(run, /gRPC listening on 127\.0\.0\.1:\d+ \(REST is off\)/);
      expect(run.output()).not.toContain('REST listening');
      const res = await call(client, 'Predict', {
        model_spec: { name: 'default' },
        inputs: {
          x: { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: 3 }] }, float_val: [1, 2, 5] },
        },
      });
      expect(res.outputs.y.float_val).toEqual([2.5, 3, 4.5]);
    } finally {
      client?.close();
      expect(await stop(run)).toBe(0);
    }
  });

  it.each([
    ['log', false],
    ['verbose', true],
  ])(
    "with --log_level=%s, TensorFlow.js's Node.js banner is printed: %s",
    async (level, banner) => {
      const port = await freePort();
      const run = runModelServer([
        `--model_base_path=${join(SAMPLE_MODELS, 'half_plus_two')}`,
        `--rest_api_port=${port}`,
        '--rest_api_host=127.0.0.1',
        '--port=0',
        // The banner comes from the CPU backend, on its first tensor.
        '--backend=cpu',
        `--log_level=${level}`,
      ]);
      try {
        await waitForOutput(run, /REST listening on/);
        const res = await post(
          `http://127.0.0.1:${port}/v1/models/default:predict`,
          '{"instances": [1.0]}',
        );
        expect(res.status).toBe(200);
        expect(run.output().includes('looks like you are running TensorFlow.js in Node.js')).toBe(
          banner,
        );
        expect(run.output().includes('VERBOSE')).toBe(banner);
      } finally {
        expect(await stop(run)).toBe(0);
      }
    },
  );

  it('warns once, with line and column, about a model_platform it does not serve', async () => {
    const dir = await tempDir('model-config-platform');
    const config = join(dir.path, 'models.config');
    const basePath = join(SAMPLE_MODELS, 'half_plus_two');
    await writeFile(
      config,
      `model_config_list {\n  config {\n    name: "half_plus_two"\n    base_path: "${basePath}"\n    model_platform: "pytorch"\n  }\n}\n`,
    );
    const port = await freePort();
    const run = runModelServer([
      `--model_config_file=${config}`,
      '--model_config_file_poll_wait_seconds=1',
      `--rest_api_port=${port}`,
      '--rest_api_host=127.0.0.1',
      '--port=0',
    ]);
    try {
      await waitForOutput(run, /REST listening on/);
      expect((await get(`http://127.0.0.1:${port}/v1/models/half_plus_two`)).status).toBe(200);
      const warning = `${config}:5:21: model_platform "pytorch" of model "half_plus_two" is not served`;
      expect(run.output()).toContain(warning);
      // The file is read again on later polls; the same warning is not repeated.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(run.output().split(warning)).toHaveLength(2);
    } finally {
      expect(await stop(run)).toBe(0);
      await dir.cleanup();
    }
  });

  itIfPresent(REFERENCE_PROTOS)('serves TF Serving gRPC on --port alongside REST', async () => {
    const [grpcPort, restPort] = [await freePort(), await freePort()];
    const run = runModelServer([
      `--model_base_path=${join(SAMPLE_MODELS, 'half_plus_two')}`,
      `--port=${grpcPort}`,
      '--grpc_host=127.0.0.1',
      `--rest_api_port=${restPort}`,
      '--rest_api_host=127.0.0.1',
    ]);
    let client: ReturnType<typeof makeClient> | undefined;
    try {
      client = predictionClient(`127.0.0.1:${grpcPort}`);
      await waitForOutput(run, /REST listening on/);
      expect(run.output()).toContain(`gRPC listening on 127.0.0.1:${grpcPort}`);
      const res = await call(client, 'Predict', {
        model_spec: { name: 'default' },
        inputs: {
          x: { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: 3 }] }, float_val: [1, 2, 5] },
        },
      });
      expect(res.outputs.y.float_val).toEqual([2.5, 3, 4.5]);
      expect(res.model_spec.name).toBe('default');
    } finally {
      client?.close();
      expect(await stop(run)).toBe(0);
    }
  });
});

describeIfPresent(join(SHARED, 'testdata', 'tf-serving'))(
  "model-server on TF Serving's own test model",
  () => {
    it("gives TF Serving's documented answers for half_plus_two served as default", async () => {
      const testdata = join(SHARED, 'testdata', 'tf-serving');
      const port = await freePort();
      const run = runModelServer([
        `--model_base_path=${join(testdata, 'saved_model_half_plus_two_cpu')}`,
        `--rest_api_port=${port}`,
        '--rest_api_host=127.0.0.1',
        '--port=0',
      ]);
      const url = `http://127.0.0.1:${port}/v1/models/default`;
      try {
        await waitForOutput(run, /REST listening on/);
        const predict = await post(`${url}:predict`, '{"instances": [1.0, 2.0, 5.0]}');
        expect(predict.text).toBe('{\n    "predictions": [2.5, 3.0, 4.5\n    ]\n}');
        const classify = await post(
          `${url}:classify`,
          '{"signature_name": "classify_x_to_y", "examples": [{"x": 1.0}, {"x": 2.0}]}',
        );
        expect(classify.json).toEqual({ results: [[['', 2.5]], [['', 3]]] });
        const regress = await post(
          `${url}:regress`,
          '{"signature_name": "regress_x_to_y", "examples": [{"x": 1.0}, {"x": 2.0}]}',
        );
        expect(regress.json).toEqual({ results: [2.5, 3] });
        const metadata = await get(`${url}/metadata`);
        const expected = JSON.parse(
          await readFile(join(testdata, 'half_plus_two_model_metadata.json'), 'utf8'),
        ) as unknown;
        expect(metadata.json).toEqual(expected);
        const status = await get(url);
        expect(status.json).toEqual({
          model_version_status: [
            { version: '123', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } },
          ],
        });
      } finally {
        expect(await stop(run)).toBe(0);
      }
    });
  },
);
