import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type LoggerService } from '@nestjs/common';
import { get } from './helpers/http.js';
import { copySampleVersion, tempDir, waitFor } from './helpers/model-dirs.js';
import { type ServingApp, startServingApp } from './helpers/serving-app.js';

/** Keeps what the app logs at error and log level. */
class Recorder implements LoggerService {
  readonly errors: string[] = [];
  readonly logs: string[] = [];
  log(message: unknown): void {
    this.logs.push(String(message));
  }
  error(message: unknown): void {
    this.errors.push(String(message));
  }
  warn(): void {}
  debug(): void {}
  verbose(): void {}
}

describe('a model config file that breaks while it is polled', () => {
  let base: { path: string; cleanup: () => Promise<void> };
  let serving: ServingApp;
  const logger = new Recorder();
  const configFile = () => join(base.path, 'models.config');
  const good = () =>
    `model_config_list { config { name: "half_plus_two" base_path: "${join(base.path, 'half_plus_two')}" model_platform: "tensorflow" } }\n`;

  beforeAll(async () => {
    base = await tempDir('config-file-poll');
    await copySampleVersion('half_plus_two', 1, join(base.path, 'half_plus_two', '1'));
    await writeFile(configFile(), good());
    serving = await startServingApp(
      { modelConfigFile: configFile(), modelConfigFilePollIntervalMs: 100, pollIntervalMs: 0 },
      'express',
      { logger },
    );
  });

  afterAll(async () => {
    await serving?.app.close();
    await base?.cleanup();
  });

  it('is logged once per distinct error, keeps the models served, and says when it reads again', async () => {
    await writeFile(configFile(), 'model_config_list { config { name: ');
    await waitFor(() => Promise.resolve(logger.errors.length > 0 ? true : undefined));
    await new Promise((r) => setTimeout(r, 1000)); // about ten more polls of the same file
    expect(logger.errors).toHaveLength(1);
    expect(logger.errors[0]).toMatch(
      /^Model config file not reloaded, the served models stay as they are: .+/,
    );
    const status = await get(`${serving.url}/v1/models/half_plus_two`);
    expect(status.json.model_version_status[0].state).toBe('AVAILABLE');

    await writeFile(configFile(), good());
    await waitFor(() =>
      Promise.resolve(logger.logs.includes('Model config file reads again') ? true : undefined),
    );
    await writeFile(configFile(), 'not a config at all');
    await waitFor(() => Promise.resolve(logger.errors.length > 1 ? true : undefined));
    expect(logger.errors).toHaveLength(2);
  });
});
