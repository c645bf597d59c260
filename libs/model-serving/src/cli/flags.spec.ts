import { FlagError, parseFlags, planServer, usage } from './flags.js';

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
      },
      restPort: 8501,
      restHost: '0.0.0.0',
      grpcPort: 8500,
      grpcHost: '0.0.0.0',
    });
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
  ])('rejects %j', (argv, message) => {
    expect(() => planServer(parseFlags(argv))).toThrow(message);
  });

  it('documents every flag', () => {
    expect(usage()).toContain('--model_config_file_poll_wait_seconds=int (default 0)');
  });
});
