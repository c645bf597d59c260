// `npm test`: runs the unit tests and then the e2e tests whatever the unit run ended with, so
// one failing spec does not hide the other suite; exits non-zero when either run failed.
import { spawnSync } from 'node:child_process';
import console from 'node:console';
import process from 'node:process';

/** Runs `npm run <script>` with this npm when npm started us (no shell needed), else via the shell. */
function runScript(script) {
  const npmCli = process.env.npm_execpath;
  const result = npmCli
    ? spawnSync(process.execPath, [npmCli, 'run', script], { stdio: 'inherit' })
    : spawnSync('npm', ['run', script], { stdio: 'inherit', shell: true });
  if (result.error) console.error(`npm run ${script}: ${result.error.message}`);
  return result.status ?? 1;
}

const failed = ['test:unit', 'test:e2e'].filter((script) => runScript(script) !== 0);
if (failed.length) console.error(`failed: ${failed.join(', ')}`);
process.exit(failed.length ? 1 : 0);
