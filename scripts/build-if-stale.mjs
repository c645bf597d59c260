// Runs `npm run build` only when a source or build setting is newer than the last build, so a
// second `npm start` does not pay for a full TypeScript compile (tsc takes seconds even when
// incremental, because it still loads the whole program).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { exit, platform, stdout } from 'node:process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const inputs = [
  'libs/model-serving/src',
  'sample-app/src',
  'libs/model-serving/tsconfig.build.json',
  'libs/model-serving/package.json',
  'sample-app/tsconfig.build.json',
  'tsconfig.base.json',
  'package.json',
];
const outputs = ['libs/model-serving/dist/index.js', 'sample-app/dist/main.js'];
// Written after each successful build: tsc leaves unchanged outputs untouched, so their own
// times do not say when the last build ran.
const stamp = join(root, 'sample-app/dist/.build-stamp');

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

const stale =
  ![stamp, ...outputs.map((p) => join(root, p))].every((p) => existsSync(p)) ||
  Math.max(...inputs.map((p) => newestMtime(join(root, p)))) > statSync(stamp).mtimeMs;

if (stale) {
  const npm = platform === 'win32' ? 'npm.cmd' : 'npm';
  const { status } = spawnSync(npm, ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (status === 0) writeFileSync(stamp, `${new Date().toISOString()}\n`);
  exit(status ?? 1);
} else {
  stdout.write('build is up to date (sources unchanged since the last build)\n');
}
