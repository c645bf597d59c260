import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './helpers/paths.js';

const run = promisify(execFile);
const LIBRARY = join(ROOT, 'libs', 'model-serving');

interface PackEntry {
  files: { path: string }[];
}

describe('the npm tarball of nest-model-serving', () => {
  let files: string[];

  beforeAll(async () => {
    // `--dry-run` still runs prepack (build, README copy) and postpack, and writes nothing.
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts=false'], {
      cwd: LIBRARY,
      maxBuffer: 64 * 1024 * 1024,
    });
    const packed = JSON.parse(stdout.slice(stdout.indexOf('['))) as PackEntry[];
    files = packed[0]!.files.map((f) => f.path);
  }, 120_000);

  it('holds the README, the LICENSE, the entry point and its types', () => {
    expect(files).toEqual(
      expect.arrayContaining(['README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']),
    );
  });

  it('holds the gRPC .proto assets', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'dist/protos/tensorflow_serving/apis/prediction_service.proto',
        'dist/protos/grpc/health/v1/health.proto',
        'dist/protos/inference/open_inference_grpc.proto',
      ]),
    );
  });

  it('leaves build bookkeeping and specs out', () => {
    expect(files.filter((f) => f.endsWith('.tsbuildinfo') || f.includes('.spec.'))).toEqual([]);
  });

  it('ships the full Apache 2.0 license text', () => {
    const license = readFileSync(join(LIBRARY, 'LICENSE'), 'utf8');
    expect(license).toContain('Apache License');
    expect(license).toContain('Version 2.0, January 2004');
    expect(license).toContain('END OF TERMS AND CONDITIONS');
  });
});

describe('the locked dependencies', () => {
  it('all run on the oldest Node the project supports (no EBADENGINE on npm ci)', () => {
    const { satisfies } = createRequire(import.meta.url)('semver') as {
      satisfies(this: void, version: string, range: string): boolean;
    };
    const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      engines: { node: string };
    };
    const oldest = /(\d+\.\d+)/.exec(root.engines.node)![1]! + '.0';
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
    };
    const unsupported = Object.entries(lock.packages)
      .filter(([, p]) => {
        const node = Array.isArray(p.engines) ? undefined : p.engines?.node;
        return node !== undefined && !satisfies(oldest, node);
      })
      .map(([path, p]) => `${path}@${p.version ?? '?'}`);
    expect(unsupported).toEqual([]);
  });
});
