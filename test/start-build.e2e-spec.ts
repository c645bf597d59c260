import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './helpers/paths.js';

const run = promisify(execFile);

describe('npm start', () => {
  it('compiles only when a source is newer than the last build', async () => {
    const scripts = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    expect(scripts['prestart']).toContain('node scripts/build-if-stale.mjs');
    expect(scripts['prestart']).not.toContain('npm run build');

    // Brings the build up to date (a no-op when it already is), then starts again.
    await run('node', ['scripts/build-if-stale.mjs'], { cwd: ROOT });
    const started = performance.now();
    const { stdout } = await run('node', ['scripts/build-if-stale.mjs'], { cwd: ROOT });
    const seconds = (performance.now() - started) / 1000;
    expect(stdout).toBe('build is up to date (sources unchanged since the last build)\n');
    expect(seconds).toBeLessThan(3);
  }, 180_000);
});
