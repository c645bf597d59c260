import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlagError, FLAGS, parseFlags, planServer, unservedWarnings, usage } from './flags.js';

describe('parseFlags', () => {
  it('reads both value styles, bare booleans and single dashes', () => {
    expect(
      parseFlags([
        '--port=1',
        '--rest_api_port',
        '2',
        '--enable_batching',
        '-model_name=m',
        '--enable_model_warmup=false',
      ]),
    ).toEqual({
      port: 1,
      rest_api_port: 2,
      enable_batching: true,
      model_name: 'm',
      enable_model_warmup: false,
    });
  });

  it.each([
    [['--bogus'], 'unknown flag --bogus'],
    [['positional'], 'unexpected argument "positional"'],
    [['--port=x'], '--port takes an integer, got "x"'],
    [['--port'], '--port needs a value'],
    [['--enable_batching=yes'], '--enable_batching takes true or false, got "yes"'],
    [
      ['--per_process_gpu_memory_fraction=half'],
      '--per_process_gpu_memory_fraction takes a number, got "half"',
    ],
  ])('rejects %j', (argv, message) => {
    expect(() => parseFlags(argv)).toThrow(new FlagError(message));
  });
});

describe('planServer', () => {
  it('turns TF Serving units into module options', () => {
    const plan = planServer(
      parseFlags([
        '--model_base_path=/m',
        '--file_system_poll_wait_seconds=3',
        '--load_retry_interval_micros=250000',
        '--max_num_load_retries=2',
      ]),
    );
    expect(plan).toEqual({
      options: {
        models: [{ name: 'default', basePath: '/m' }],
        modelConfigFilePollIntervalMs: 0,
        pollIntervalMs: 3000,
        maxLoadRetries: 2,
        loadRetryIntervalMs: 250,
        backend: 'auto',
        enableModelWarmup: true,
        restApiTimeoutMs: 30_000,
        maxRequestBodyBytes: 32 * 1024 * 1024,
        restApiEnableCorsSupport: false,
      },
      restPort: 8501,
      restHost: '0.0.0.0',
      grpcPort: 8500,
      grpcHost: '0.0.0.0',
      healthPort: 0,
      logLevels: ['fatal', 'error', 'warn', 'log'],
      notes: [],
    });
  });

  it('maps --health_port and checks its range', () => {
    expect(planServer(parseFlags(['--model_base_path=/m', '--health_port=8502'])).healthPort).toBe(
      8502,
    );
    expect(() => planServer(parseFlags(['--model_base_path=/m', '--health_port=70000']))).toThrow(
      new FlagError('--health_port must be between 0 and 65535, got 70000'),
    );
  });

  it('maps --enable_batching, with or without --batching_parameters_file', () => {
    const auto = planServer(parseFlags(['--model_base_path=/m', '--enable_batching']));
    expect(auto.options.batching).toBe(true);
    expect(auto.batchingParametersFile).toBeUndefined();
    const file = planServer(
      parseFlags(['--model_base_path=/m', '--enable_batching', '--batching_parameters_file=/b']),
    );
    expect(file.batchingParametersFile).toBe('/b');
    const alone = planServer(parseFlags(['--model_base_path=/m', '--batching_parameters_file=/b']));
    expect(alone.options).not.toHaveProperty('batching');
    expect(alone.batchingParametersFile).toBeUndefined();
    expect(alone.notes).toEqual([
      '--batching_parameters_file has no effect without --enable_batching (as in TF Serving)',
    ]);
  });

  it('maps --rest_api_timeout_in_ms (TF Serving default 30 s) and --workers', () => {
    const { options } = planServer(
      parseFlags(['--model_base_path=/m', '--rest_api_timeout_in_ms=250', '--workers=0']),
    );
    expect(options).toMatchObject({ restApiTimeoutMs: 250, workers: 0 });
    expect(planServer(parseFlags(['--model_base_path=/m'])).options).not.toHaveProperty('workers');
    expect(() => planServer(parseFlags(['--model_base_path=/m', '--workers=-1']))).toThrow(
      new FlagError('--workers must not be negative'),
    );
  });

  it('maps --saved_model_engine to savedModelEngine, leaving the default to the module', () => {
    const { options } = planServer(
      parseFlags(['--model_base_path=/m', '--saved_model_engine=tfjs']),
    );
    expect(options.savedModelEngine).toBe('tfjs');
    expect(planServer(parseFlags(['--model_base_path=/m'])).options).not.toHaveProperty(
      'savedModelEngine',
    );
  });

  it('maps --rest_api_max_body_bytes and --rest_api_enable_cors_support', () => {
    const { options } = planServer(
      parseFlags([
        '--model_base_path=/m',
        '--rest_api_max_body_bytes=1024',
        '--rest_api_enable_cors_support',
      ]),
    );
    expect(options).toMatchObject({ maxRequestBodyBytes: 1024, restApiEnableCorsSupport: true });
    expect(() =>
      planServer(parseFlags(['--model_base_path=/m', '--rest_api_max_body_bytes=0'])),
    ).toThrow(new FlagError('--rest_api_max_body_bytes must be at least 1'));
  });

  it('maps --enable_model_warmup and --allow_version_labels_for_unavailable_models', () => {
    const { options } = planServer(
      parseFlags([
        '--model_base_path=/m',
        '--enable_model_warmup=false',
        '--allow_version_labels_for_unavailable_models',
      ]),
    );
    expect(options).toMatchObject({
      enableModelWarmup: false,
      allowVersionLabelsForUnavailableModels: true,
    });
  });

  it.each([
    ['error', ['fatal', 'error']],
    ['debug', ['fatal', 'error', 'warn', 'log', 'debug']],
    ['verbose', ['fatal', 'error', 'warn', 'log', 'debug', 'verbose']],
  ])('turns --log_level=%s into the Logger levels up to it', (level, levels) => {
    expect(
      planServer(parseFlags(['--model_base_path=/m', `--log_level=${level}`])).logLevels,
    ).toEqual(levels);
  });

  it('uses the config file when given', () => {
    expect(planServer(parseFlags(['--model_config_file=/c.txt'])).options.modelConfigFile).toBe(
      '/c.txt',
    );
  });

  it.each([
    [[], 'give --model_base_path or --model_config_file'],
    [['--model_base_path=/a', '--model_config_file=/b'], 'not both'],
    [
      ['--model_base_path=/a', '--rest_api_port=70000'],
      '--rest_api_port must be between 0 and 65535',
    ],
    [['--model_base_path=/a', '--backend=gpu'], '--backend takes auto, wasm, cpu or tensorflow'],
    [
      ['--model_base_path=/a', '--saved_model_engine=gpu'],
      '--saved_model_engine takes auto, onnx or tfjs',
    ],
    [
      ['--model_base_path=/a', '--log_level=info'],
      '--log_level takes error, warn, log, debug, verbose',
    ],
  ])('rejects %j', (argv, message) => {
    expect(() => planServer(parseFlags(argv))).toThrow(message);
  });

  it('documents every flag', () => {
    expect(usage()).toContain('--model_config_file_poll_wait_seconds=int (default 0)');
    expect(usage()).toContain(
      '--ssl_config_file=string\n      not served yet: gRPC stays plaintext',
    );
    for (const name of Object.keys(FLAGS)) expect(usage()).toContain(`--${name}=`);
  });
});

describe("the README's flag table", () => {
  it('names every flag', () => {
    const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## The standalone server'));
    const table = section.slice(0, section.indexOf('\n## '));
    const missing = Object.keys(FLAGS).filter((name) => !table.includes(`\`--${name}\``));
    expect(missing).toEqual([]);
  });
});

describe('unservedWarnings', () => {
  it("accepts TF Serving's other flags, each with a warning naming what runs instead", () => {
    const flags = parseFlags([
      '--ssl_config_file=/ssl.config',
      '--tensorflow_intra_op_parallelism=4',
      '--tensorflow_inter_op_parallelism',
      '2',
      '--per_process_gpu_memory_fraction=0.5',
      '--saved_model_tags=serve,gpu',
      '--num_tflite_pools=2',
      '--enable_model_warmup=false',
    ]);
    expect(unservedWarnings(flags)).toEqual([
      '--ssl_config_file is not served yet: gRPC stays plaintext',
      '--tensorflow_intra_op_parallelism is not served yet: TensorFlow.js picks its own threads (WASM runs single-threaded in Node)',
      '--tensorflow_inter_op_parallelism is not served yet: TensorFlow.js picks its own threads (WASM runs single-threaded in Node)',
      '--per_process_gpu_memory_fraction is not served yet: GPU memory is not capped',
      "--saved_model_tags is not served yet: the MetaGraph tagged 'serve' is served",
      '--num_tflite_pools is not served yet: TensorFlow Lite models are not served',
    ]);
  });
});
