import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { freePort } from './helpers/free-port.js';
import { post } from './helpers/http.js';
import { ROOT, SAMPLE_MODELS } from './helpers/paths.js';

interface CodeBlock {
  /** The file a complete block names on its first line (`// src/main.ts`), else undefined. */
  file?: string;
  code: string;
  /** The prose line just above the block. */
  before: string;
}

/** The TypeScript blocks of the README's quick start, up to its options table. */
function quickStartBlocks(): CodeBlock[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Quick start in a Nest application');
  const end = readme.indexOf('\n## Options', start);
  const section = readme.slice(start, end);
  const blocks: CodeBlock[] = [];
  for (const match of section.matchAll(/```ts\n([\s\S]*?)```/g)) {
    const code = match[1]!;
    const lines = section.slice(0, match.index).trimEnd().split('\n');
    const file = /^\/\/ (src\/[\w./-]+\.ts)\n/.exec(code)?.[1];
    blocks.push({ file, code, before: lines[lines.length - 1] ?? '' });
  }
  return blocks;
}

/**
 * Type-checks and emits the extracted app. `nest-model-serving` resolves as in a user's app,
 * through node_modules to the built package (`dist`, which `npm test` builds first).
 */
function compile(dir: string, files: string[]): string[] {
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2023,
    lib: ['lib.es2023.d.ts'],
    types: ['node'],
    typeRoots: [join(ROOT, 'node_modules', '@types')],
    strict: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    esModuleInterop: true,
    isolatedModules: true,
    skipLibCheck: true,
    rootDir: join(dir, 'src'),
    outDir: join(dir, 'dist'),
  };
  const program = ts.createProgram(
    files.map((f) => join(dir, f)),
    options,
  );
  const diagnostics = ts.getPreEmitDiagnostics(program);
  // Only the README's files count: the library's own are checked by `npm run typecheck`.
  const own = diagnostics.filter((d) => d.file === undefined || d.file.fileName.startsWith(dir));
  const host = {
    getCanonicalFileName: (f: string) => f,
    getCurrentDirectory: () => dir,
    getNewLine: () => '\n',
  };
  if (own.length === 0) program.emit();
  return own.map((d) => ts.formatDiagnostic(d, host).trim());
}

describe('the README quick start', () => {
  const blocks = quickStartBlocks();
  let dir: string;
  let child: ChildProcess | undefined;

  beforeAll(() => {
    // Under the repository's node_modules, so the extracted app resolves Nest as a user's would.
    const cache = join(ROOT, 'node_modules', '.cache');
    mkdirSync(cache, { recursive: true });
    dir = mkdtempSync(join(cache, 'readme-quickstart-'));
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    for (const block of blocks.filter((b) => b.file !== undefined)) {
      mkdirSync(dirname(join(dir, block.file!)), { recursive: true });
      writeFileSync(join(dir, block.file!), block.code);
    }
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('has TypeScript blocks that are each complete or marked as an excerpt', () => {
    expect(blocks.length).toBeGreaterThan(0);
    const unmarked = blocks.filter((b) => b.file === undefined && !/excerpt/i.test(b.before));
    expect(unmarked.map((b) => b.code.split('\n')[0])).toEqual([]);
  });

  it('has the files an app needs among its complete blocks', () => {
    expect(blocks.map((b) => b.file)).toEqual(
      expect.arrayContaining([
        'src/main.ts',
        'src/app.module.ts',
        'src/iris/iris.controller.ts',
        'src/iris/iris-measurements.dto.ts',
        'src/pricing.service.ts',
      ]),
    );
  });

  it('compiles without a diagnostic against the library', () => {
    const files = blocks.flatMap((b) => (b.file ? [b.file] : []));
    expect(compile(dir, files)).toEqual([]);
  }, 120_000);

  it('boots and classifies a flower sent as `curl -d` sends it', async () => {
    symlinkSync(SAMPLE_MODELS, join(dir, 'models'), 'dir');
    const port = await freePort();
    child = spawn(process.execPath, [join(dir, 'dist', 'main.js')], {
      cwd: dir,
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const url = `http://127.0.0.1:${port}/iris/classify`;
    const body = '{"sepalLength": 7.7, "sepalWidth": 3.8, "petalLength": 6.7, "petalWidth": 2.2}';
    let res: Awaited<ReturnType<typeof post>> | undefined;
    for (let i = 0; i < 300 && child.exitCode === null; i++) {
      res = await post(url, body).catch(() => undefined);
      if (res) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect({ status: res?.status, output: res ? '' : output }).toEqual({ status: 200, output: '' });
    expect(res!.json.species).toBe('virginica');
  }, 60_000);
});
