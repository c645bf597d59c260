import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelServingConfigError } from '../errors/model-serving-config.error.js';
import { parseModelConfigText, readModelConfigFile } from './model-config-file.js';
import { itIfPresent, SHARED } from '../../../../test/helpers/paths.js';

const lines = (...text: string[]): string => text.join('\n');
/** One model config list holding `body`, which starts on line 3, column 5. */
const inConfig = (...body: string[]): string =>
  lines('model_config_list {', '  config {', ...body.map((l) => `    ${l}`), '  }', '}');
const model = (...body: string[]): string => inConfig('name: "m"', 'base_path: "/m"', ...body);

function errorOf(text: string, fileName?: string): ModelServingConfigError {
  try {
    parseModelConfigText(text, fileName);
  } catch (error) {
    if (error instanceof ModelServingConfigError) return error;
    throw error;
  }
  throw new Error('expected a ModelServingConfigError');
}

describe('parseModelConfigText', () => {
  it('reads a model config list in the usual TF Serving layout', () => {
    const text = lines(
      '# served models',
      'model_config_list {',
      '  config {',
      '    name: "half_plus_two"  # trailing comment',
      '    base_path: "/models/half_plus_two"',
      '    model_platform: "tensorflow"',
      '  }',
      '  config {',
      "    name: 'resnet'",
      '    base_path: "models/resnet"',
      '    model_version_policy { specific { versions: 1 versions: 2 } }',
      '    version_labels { key: "stable" value: 1 }',
      '    version_labels { key: "canary" value: 2 }',
      '  }',
      '}',
    );
    expect(parseModelConfigText(text)).toEqual([
      { name: 'half_plus_two', basePath: '/models/half_plus_two' },
      {
        name: 'resnet',
        basePath: 'models/resnet',
        versionPolicy: { specific: [1, 2] },
        versionLabels: { stable: 1, canary: 2 },
      },
    ]);
  });

  it('returns no models for an empty file, comments only or an empty list', () => {
    expect(parseModelConfigText('')).toEqual([]);
    expect(parseModelConfigText('  # nothing here\r\n\t\n')).toEqual([]);
    expect(parseModelConfigText('model_config_list {}')).toEqual([]);
  });

  it('accepts "{", ": {" and "<" around messages, with ";" or "," separators, on one line', () => {
    const text =
      'model_config_list: < config: { name: "a"; base_path: "/a", }, config < name: "b" base_path: "/b" > >';
    expect(parseModelConfigText(text)).toEqual([
      { name: 'a', basePath: '/a' },
      { name: 'b', basePath: '/b' },
    ]);
  });

  it('accepts CRLF line ends, tabs and a byte order mark', () => {
    const text =
      '\uFEFFmodel_config_list {\r\n\tconfig {\r\n\t\tname: "a"\r\n\t\tbase_path: "/a"\r\n\t}\r\n}\r\n';
    expect(parseModelConfigText(text)).toEqual([{ name: 'a', basePath: '/a' }]);
  });

  it('reads list syntax for repeated scalars and messages', () => {
    const text = lines(
      'model_config_list {',
      '  config [',
      '    { name: "a" base_path: "/a" model_version_policy { specific { versions: [1, 0x10, 010] } } },',
      '    { name: "b" base_path: "/b" model_version_policy { specific { versions: [] } } }',
      '  ]',
      '  config: [{ name: "c" base_path: "/c" version_labels: [{ key: "x" value: 3 }, { key: "y", value: 4 }] }]',
      '}',
    );
    expect(parseModelConfigText(text)).toEqual([
      { name: 'a', basePath: '/a', versionPolicy: { specific: [1, 16, 8] } },
      { name: 'b', basePath: '/b', versionPolicy: { specific: [] } },
      { name: 'c', basePath: '/c', versionLabels: { x: 3, y: 4 } },
    ]);
  });

  it.each([
    ['latest { num_versions: 3 }', { latest: 3 }],
    ['latest: { num_versions: 0x2 }', { latest: 2 }],
    ['all {}', { all: true }],
    ['all <>', { all: true }],
    ['specific { versions: 7 }', { specific: [7] }],
    ['specific {}', { specific: [] }],
  ])('reads the version policy %s', (policy, versionPolicy) => {
    const [config] = parseModelConfigText(model(`model_version_policy { ${policy} }`));
    expect(config?.versionPolicy).toEqual(versionPolicy);
  });

  it('leaves the version policy out when model_version_policy is empty', () => {
    expect(parseModelConfigText(model('model_version_policy {}'))).toEqual([
      { name: 'm', basePath: '/m' },
    ]);
  });

  it('keeps a label called "__proto__" as an ordinary key', () => {
    const [config] = parseModelConfigText(model('version_labels { key: "__proto__" value: 0 }'));
    expect(Object.keys(config?.versionLabels ?? {})).toEqual(['__proto__']);
    expect(config?.versionLabels?.['__proto__']).toBe(0);
  });

  it.each([
    ['"plain"', 'plain'],
    ['\'single "quoted"\'', 'single "quoted"'],
    ['"double \'quoted\'"', "double 'quoted'"],
    ['"a\\tb\\nc\\\\d\\"e\\\'f\\?g"', 'a\tb\nc\\d"e\'f?g'],
    ['"\\a\\b\\f\\r\\v"', '\x07\b\f\r\v'],
    ['"\\x41\\101\\0"', 'AA\0'],
    ['"caf\\303\\251 caf\\xc3\\xa9"', 'café café'],
    ['"\\u00e9 \\U0001F600"', 'é 😀'],
    ['"naïve 😀"', 'naïve 😀'],
    ['"con" \'cat\'  "enated"', 'concatenated'],
    ['"split"\n      "across lines"', 'splitacross lines'],
    ['""  "x"', 'x'],
    ['"${MODEL_DIR}/m"', '${MODEL_DIR}/m'],
  ])('reads the string %s', (literal, basePath) => {
    const [config] = parseModelConfigText(inConfig('name: "m"', `base_path: ${literal}`));
    expect(config?.basePath).toBe(basePath);
  });

  it('accepts model_type and model_platform, and reads logging_config as predictionLog', () => {
    const warnings: string[] = [];
    const text = model(
      'model_type: TENSORFLOW',
      'model_platform: "tensorflow"',
      'logging_config {',
      '  log_collector_config { type: "file" filename_prefix: "/tmp/log" }',
      '  sampling_config { sampling_rate: 0.5 }',
      '}',
    );
    const warn = (message: string) => warnings.push(message);
    expect(parseModelConfigText(text, 'models.config', warn)).toEqual([
      {
        name: 'm',
        basePath: '/m',
        predictionLog: { filenamePrefix: '/tmp/log', samplingRate: 0.5 },
      },
    ]);
    expect(warnings).toEqual([]);
    // No collector type is this server's file collector; no sampling_config logs nothing, as
    // TF Serving's rate defaults to 0; sampling by attributes is warned about.
    const [plain] = parseModelConfigText(
      model(
        'logging_config { log_collector_config { filename_prefix: "/l" } }',
        'model_platform: "tensorflow"',
      ),
    );
    expect(plain?.predictionLog).toEqual({ filenamePrefix: '/l', samplingRate: 0 });
    parseModelConfigText(
      model(
        'logging_config {',
        '  log_collector_config { filename_prefix: "/l" }',
        '  sampling_config { sampling_rate: 1 attributes: 3 }',
        '}',
      ),
      'models.config',
      warn,
    );
    expect(warnings).toEqual([
      'models.config:7:42: sampling by data centre, task or request attributes of model "m" is not served: sampling_rate applies to every call',
    ]);
    warnings.length = 0;
    for (const platform of ['tfjs', 'onnx', '']) {
      const [config] = parseModelConfigText(
        model('model_type: 1', `model_platform: "${platform}"`),
        undefined,
        warn,
      );
      // A served platform pins the model's loader; an empty one lets the files decide.
      expect(config?.platform).toBe(platform || undefined);
    }
    expect(warnings).toEqual([]);
    expect(
      parseModelConfigText(model('model_type: OTHER', 'model_platform: "pytorch"'), 'c', warn),
    ).toEqual([{ name: 'm', basePath: '/m' }]);
    expect(warnings).toEqual([
      'c:6:21: model_platform "pytorch" of model "m" is not served: the format is recognised from each version\'s files (SavedModel, TensorFlow.js, ONNX) and the value is ignored',
      'c:5:17: model_type OTHER of model "m" is not served (TF Serving deprecated model_type for model_platform): the value is ignored',
    ]);
  });

  it('reads negative integers, with or without space after the sign', () => {
    const text = model('model_version_policy { specific { versions: [-1, - 2, -0x3] } }');
    expect(parseModelConfigText(text)[0]?.versionPolicy).toEqual({ specific: [-1, -2, -3] });
  });

  it('names the file, line and column in errors and their details', () => {
    const error = errorOf('model_config_list {\n  foo: 1\n}', 'models.config');
    expect(error.message).toBe('models.config:2:3: unknown field "foo" in ModelConfigList');
    expect(error.details).toEqual({ file: 'models.config', line: 2, column: 3 });
    expect(error.reason).toBe('INVALID_CONFIG');
    expect(errorOf('foo: 1').details).toEqual({ line: 1, column: 1 });
  });

  describe('rejects bad syntax', () => {
    it.each([
      ['an unexpected character', 'model_config_list { @ }', '1:21: unexpected character "@"'],
      ['a missing field name', 'model_config_list { : 1 }', '1:21: expected a field name, got ":"'],
      [
        'a value as field name',
        '"model_config_list" {}',
        '1:1: expected a field name, got "model_config_list"',
      ],
      [
        'an unclosed message',
        'model_config_list {\n  config {\n',
        '3:1: expected "}", got end of file',
      ],
      ['a mismatched closer', inConfig('name: "a" >'), '3:15: expected a field name, got ">"'],
      ['a stray closer', 'model_config_list {}\n}', '2:1: expected a field name, got "}"'],
      [
        'a missing colon before a scalar',
        inConfig('name "a"'),
        '3:10: expected ":" after "name", got "a"',
      ],
      [
        'a missing colon before a list of scalars',
        model('model_version_policy { specific { versions [1] } }'),
        '5:49: expected ":" after "versions", got "1"',
      ],
      [
        'a scalar for a message',
        model('model_version_policy: 1'),
        '5:27: expected "{" or "<" to open "model_version_policy", got "1"',
      ],
      [
        'a message for a scalar',
        inConfig('name { }'),
        '3:10: expected a string for "name", got "{"',
      ],
      [
        'a message after a colon for a scalar',
        inConfig('name: <>'),
        '3:11: expected a string for "name", got "<"',
      ],
      [
        'an integer for a string',
        inConfig('name: 5'),
        '3:11: expected a string for "name", got "5"',
      ],
      [
        'an identifier for a string',
        inConfig('name: half'),
        '3:11: expected a string for "name", got "half"',
      ],
      ['a negative string', inConfig('name: -"a"'), '3:12: expected a string for "name", got "a"'],
      [
        'a string for an integer',
        model('version_labels { key: "a" value: "1" }'),
        '5:38: expected an integer for "value", got "1"',
      ],
      [
        'a float for an integer',
        model('model_version_policy { latest { num_versions: 1.5 } }'),
        '5:51: expected an integer for "num_versions", got "1.5"',
      ],
      [
        'a float for an enum',
        model('model_type: 1.0'),
        '5:17: expected an enum value for "model_type", got "1.0"',
      ],
      [
        'a string for an enum',
        model('model_type: "TENSORFLOW"'),
        '5:17: expected an enum value for "model_type", got "TENSORFLOW"',
      ],
      [
        'a scalar for logging_config',
        model('logging_config: "x"'),
        '5:21: expected "{" or "<" to open "logging_config", got "x"',
      ],
      [
        'a log collector this server does not have',
        model('logging_config { log_collector_config { type: "kafka" filename_prefix: "/l" } }'),
        '5:51: log collector type "kafka" of model "m" is not served: this server writes TFRecord files of PredictionLogs (type "file")',
      ],
      [
        'a logging_config without a filename_prefix',
        model('logging_config { sampling_config { sampling_rate: 1 } }'),
        '5:5: logging_config of model "m" needs log_collector_config.filename_prefix',
      ],
      [
        'a sampling rate above 1',
        model(
          'logging_config { log_collector_config { filename_prefix: "/l" } sampling_config { sampling_rate: 1.5 } }',
        ),
        '5:102: sampling_rate must be in [0, 1], got 1.5',
      ],
      [
        'an unclosed list',
        model('model_version_policy { specific { versions: [1 2] } }'),
        '5:52: expected "]", got "2"',
      ],
      [
        'a trailing comma in a list',
        model('model_version_policy { specific { versions: [1,] } }'),
        '5:52: expected an integer for "versions", got "]"',
      ],
      [
        'a list for a singular field',
        inConfig('name: ["a"]'),
        '3:5: list given for "name", which is not repeated',
      ],
      ['an unterminated string', inConfig('name: "abc'), '3:11: unterminated string'],
      ['a line break in a string', inConfig("name: 'abc", "'"), '3:11: unterminated string'],
      ['an unknown escape', inConfig('name: "a\\qb"'), '3:13: invalid escape "\\q"'],
      [
        'an octal escape over one byte',
        inConfig('name: "\\777"'),
        '3:12: escape "\\777" is out of range',
      ],
      [
        'a code point past U+10FFFF',
        inConfig('name: "\\U00110000"'),
        '3:12: escape "\\U00110000" is out of range',
      ],
      [
        'a surrogate code point',
        inConfig('name: "\\ud800"'),
        '3:12: escape "\\ud800" is out of range',
      ],
      ['a short \\u escape', inConfig('name: "\\u12"'), '3:12: invalid escape "\\u"'],
      ['bytes that are not UTF-8', inConfig('name: "\\xff"'), '3:11: string is not valid UTF-8'],
      [
        'letters after a number',
        model('version_labels { key: "a" value: 12abc }'),
        '5:38: invalid number',
      ],
      [
        'a hex prefix without digits',
        model('version_labels { key: "a" value: 0x }'),
        '5:38: invalid number',
      ],
      [
        'two decimal points',
        model('version_labels { key: "a" value: 1.2.3 }'),
        '5:38: invalid number',
      ],
      ['a lone dot', model('version_labels { key: "a" value: . }'), '5:38: invalid number'],
      [
        'an octal number with 8 or 9',
        model('version_labels { key: "a" value: 09 }'),
        '5:38: invalid octal number "09"',
      ],
      [
        'an integer beyond 2^53',
        model('version_labels { key: "a" value: 9007199254740992 }'),
        '5:38: integer 9007199254740992 is out of range',
      ],
      [
        'a negative integer beyond -2^53',
        model('version_labels { key: "a" value: -0x20000000000000 }'),
        '5:39: integer -0x20000000000000 is out of range',
      ],
    ])('%s', (_title, text, message) => {
      expect(errorOf(text).message).toBe(message);
    });
  });

  describe('rejects what the schema does not allow', () => {
    it.each([
      [
        'an unknown top-level field',
        'model_config_list {}\nfoo: 1',
        '2:1: unknown field "foo" in ModelServerConfig',
      ],
      [
        'an unknown ModelConfig field',
        inConfig('name: "a"', 'foo { bar: 1 }'),
        '4:5: unknown field "foo" in ModelConfig',
      ],
      [
        'an unknown policy kind',
        model('model_version_policy { newest {} }'),
        '5:28: unknown field "newest" in ServableVersionPolicy',
      ],
      [
        'an unknown field in latest',
        model('model_version_policy { latest { n: 1 } }'),
        '5:37: unknown field "n" in Latest',
      ],
      [
        'an unknown field in all',
        model('model_version_policy { all { x: 1 } }'),
        '5:34: unknown field "x" in All',
      ],
      [
        'an unknown field in a label',
        model('version_labels { name: "a" }'),
        '5:22: unknown field "name" in VersionLabelsEntry',
      ],
      [
        'custom_model_config',
        'custom_model_config {}',
        '1:1: "custom_model_config" is not supported; use model_config_list',
      ],
      [
        'a second model_config_list',
        'model_config_list {}\nmodel_config_list {}',
        '2:1: duplicate field "model_config_list" in ModelServerConfig',
      ],
      [
        'a second name',
        inConfig('name: "a"', 'base_path: "/a"', 'name: "b"'),
        '5:5: duplicate field "name" in ModelConfig',
      ],
      [
        'a second base_path',
        model('base_path: "/n"'),
        '5:5: duplicate field "base_path" in ModelConfig',
      ],
      [
        'a second num_versions',
        model('model_version_policy { latest { num_versions: 1 num_versions: 2 } }'),
        '5:53: duplicate field "num_versions" in Latest',
      ],
      [
        'a second policy',
        model(
          'model_version_policy { latest { num_versions: 1 } }',
          'model_version_policy { all {} }',
        ),
        '6:5: duplicate field "model_version_policy" in ModelConfig',
      ],
      [
        'two policy kinds',
        model('model_version_policy {', '  latest { num_versions: 1 }', '  all {}', '}'),
        '7:7: "all" and "latest" are both set; ServableVersionPolicy takes one',
      ],
      [
        'the same policy kind twice',
        model('model_version_policy { all {} all {} }'),
        '5:35: duplicate field "all" in ServableVersionPolicy',
      ],
    ])('%s', (_title, text, message) => {
      expect(errorOf(text).message).toBe(message);
    });
  });

  describe('rejects invalid models', () => {
    it.each([
      ['a missing name', inConfig('base_path: "/a"'), '2:3: model name must not be empty'],
      [
        'an empty name',
        inConfig('name: ""', 'base_path: "/a"'),
        '3:11: model name must not be empty',
      ],
      [
        'a duplicate name',
        lines(
          'model_config_list {',
          '  config { name: "a" base_path: "/a" }',
          '  config { name: "a" base_path: "/b" }',
          '}',
        ),
        '3:18: duplicate model name "a"',
      ],
      [
        'a missing base_path',
        inConfig('name: "a"'),
        '2:3: base_path of model "a" must not be empty',
      ],
      [
        'an empty base_path',
        inConfig('name: "a"', "base_path: ''"),
        '4:16: base_path of model "a" must not be empty',
      ],
      [
        'latest without num_versions',
        model('model_version_policy { latest {} }'),
        '5:28: num_versions must be a uint32 >= 1, got 0',
      ],
      [
        'num_versions 0',
        model('model_version_policy { latest { num_versions: 0 } }'),
        '5:51: num_versions must be a uint32 >= 1, got 0',
      ],
      [
        'a negative num_versions',
        model('model_version_policy { latest { num_versions: -1 } }'),
        '5:51: num_versions must be a uint32 >= 1, got -1',
      ],
      [
        'num_versions beyond uint32',
        model('model_version_policy { latest { num_versions: 0x100000000 } }'),
        '5:51: num_versions must be a uint32 >= 1, got 4294967296',
      ],
      [
        'a negative label value',
        model('version_labels { key: "stable" value: -1 }'),
        '5:43: version label "stable" must be a non-negative version',
      ],
      [
        'a label without value',
        model('version_labels { key: "stable" }'),
        '5:5: version label "stable" has no value',
      ],
      [
        'a label without key',
        model('version_labels { value: 1 }'),
        '5:5: version label key must not be empty',
      ],
      [
        'a label with an empty key',
        model('version_labels { key: "" value: 1 }'),
        '5:27: version label key must not be empty',
      ],
      [
        'a duplicate label',
        model('version_labels { key: "a" value: 1 }', 'version_labels { key: "a" value: 2 }'),
        '6:27: duplicate version label "a"',
      ],
    ])('%s', (_title, text, message) => {
      expect(errorOf(text).message).toBe(message);
    });
  });
});

describe('readModelConfigFile', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'model-config-file-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a file and keeps relative base paths as written', async () => {
    const file = join(dir, 'models.config');
    await writeFile(file, 'model_config_list { config { name: "a" base_path: "models/a" } }');
    await expect(readModelConfigFile(file)).resolves.toEqual([{ name: 'a', basePath: 'models/a' }]);
  });

  it('names the file in its warnings', async () => {
    const file = join(dir, 'platform.config');
    await writeFile(
      file,
      'model_config_list { config { name: "a" base_path: "/a" model_platform: "tflite" } }',
    );
    const warnings: string[] = [];
    await readModelConfigFile(file, (message) => warnings.push(message));
    expect(warnings).toEqual([
      `${file}:1:72: model_platform "tflite" of model "a" is not served: the format is recognised from each version's files (SavedModel, TensorFlow.js, ONNX) and the value is ignored`,
    ]);
  });

  it('names the file in parse errors', async () => {
    const file = join(dir, 'broken.config');
    await writeFile(file, 'model_config_list {\n  config { nme: "a" }\n}\n');
    await expect(readModelConfigFile(file)).rejects.toThrow(
      new ModelServingConfigError(`${file}:2:12: unknown field "nme" in ModelConfig`),
    );
  });

  it('fails with a ModelServingConfigError when the file cannot be read', async () => {
    const file = join(dir, 'missing.config');
    await expect(readModelConfigFile(file)).rejects.toThrow(
      new ModelServingConfigError(`cannot read model config file ${file}: ENOENT`),
    );
  });

  describe('on TF Serving reference files', () => {
    const referenceDir = join(SHARED, 'testdata', 'tf-serving');
    const maybe = itIfPresent(referenceDir);

    maybe('parses good_model_config.txt, keeping ${VAR} placeholders', async () => {
      await expect(
        readModelConfigFile(join(referenceDir, 'good_model_config.txt')),
      ).resolves.toEqual([
        { name: 'half_plus_two', basePath: '${TEST_HALF_PLUS_TWO_DIR}' },
        { name: 'half_plus_three', basePath: '${TEST_HALF_PLUS_THREE_DIR}' },
      ]);
    });

    maybe('rejects bad_model_config.txt naming a line and column', async () => {
      const file = join(referenceDir, 'bad_model_config.txt');
      const error: unknown = await readModelConfigFile(file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelServingConfigError);
      expect((error as Error).message).toBe(
        `${file}:1:1: unknown field "improperly" in ModelServerConfig`,
      );
      expect((error as Error).message).toMatch(/:\d+:\d+: /);
    });
  });
});
