// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/**
 * The library's dependency direction: leaves → core → plug-ins → edges → module → cli. A
 * folder may import its own layer and those before it, never a later one, and no protocol
 * imports another.
 */
const LAYERS = {
  leaves: ['tensor', 'errors', 'protos'],
  core: ['config', 'validation', 'models'],
  plugins: ['engines', 'batching', 'workers'],
  edges: [
    'logging',
    'http',
    'grpc',
    'decorators',
    'auth',
    'metrics',
    'health',
    'tf-serving',
    'open-inference',
  ],
  module: ['module'],
  cli: ['cli'],
};
const ORDER = Object.keys(LAYERS);
const SRC = 'libs/model-serving/src';

/** A rule refusing imports of `banned` folders (relative paths climbing out of the file's folder). */
function refuse(files, banned, why, allow = []) {
  const alternatives = banned.join('|');
  const exceptions = allow.length ? `(?!${allow.join('|')})` : '';
  return {
    files,
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: `^(\\.\\./)+${exceptions}(${alternatives})/`, message: why }] },
      ],
    },
  };
}

const layerRules = ORDER.slice(0, -1).map((layer, i) =>
  refuse(
    LAYERS[layer].map((folder) => `${SRC}/${folder}/**/*.ts`),
    ORDER.slice(i + 1).flatMap((later) => LAYERS[later]),
    `${layer} must not import a later layer (${ORDER.slice(i + 1).join(', ')}): see LAYERS in eslint.config.mjs`,
    // The injection tokens are plain constants every layer may name.
    layer === 'module' ? [] : ['module/model-serving\\.constants'],
  ),
);

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'coverage/**', 'sample-app/models/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['libs/**/*.ts'],
    ignores: ['libs/**/*.spec.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  ...layerRules,
  // Plug-ins stay independent of one another; only the worker pool rebuilds engines.
  refuse(
    [`${SRC}/engines/**/*.ts`],
    ['batching', 'workers'],
    'engines must not import other plug-ins',
  ),
  // The SavedModel → ONNX translator reads the frozen graph and writes ONNX, never runs tfjs.
  refuse(
    [`${SRC}/engines/tf-onnx/**/*.ts`],
    ['tfjs', 'batching', 'workers', 'config', 'validation'],
    'engines/tf-onnx may import tensor, errors, protos, models, engines/saved-model and engines/onnx only',
  ),
  refuse(
    [`${SRC}/batching/**/*.ts`],
    ['engines', 'workers'],
    'batching must not import other plug-ins',
  ),
  {
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  prettier,
);
