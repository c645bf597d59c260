import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFlags, planServer } from '../cli/flags.js';
import { ModelServingConfigError } from '../errors/model-serving-config.error.js';
import { readAuthConfigFile } from './auth-config-file.js';

describe('readAuthConfigFile (--auth_config_file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'auth-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a JSON AuthOptions and resolves its paths against the file', async () => {
    const file = join(dir, 'auth.json');
    writeFileSync(
      file,
      JSON.stringify({
        apiKeysFile: 'keys.json',
        jwt: { jwksFile: 'jwks.json', audience: 'model-serving' },
        rateLimit: { limit: 10, ttlMs: 1000 },
      }),
    );
    expect(await readAuthConfigFile(file)).toEqual({
      apiKeysFile: join(dir, 'keys.json'),
      jwt: { jwksFile: join(dir, 'jwks.json'), audience: 'model-serving' },
      rateLimit: { limit: 10, ttlMs: 1000 },
    });
  });

  it('refuses a missing file, bad JSON and a non-object', async () => {
    await expect(readAuthConfigFile(join(dir, 'none.json'))).rejects.toThrow(
      ModelServingConfigError,
    );
    writeFileSync(join(dir, 'bad.json'), '{');
    await expect(readAuthConfigFile(join(dir, 'bad.json'))).rejects.toThrow(/not valid JSON/);
    writeFileSync(join(dir, 'list.json'), '[]');
    await expect(readAuthConfigFile(join(dir, 'list.json'))).rejects.toThrow(/a JSON object/);
  });

  it('is planned from the flag', () => {
    const plan = planServer(parseFlags(['--model_base_path=/m', '--auth_config_file=/a.json']));
    expect(plan.authConfigFile).toBe('/a.json');
  });
});
