import { type INestApplication } from '@nestjs/common';
import { createApp, type HttpPlatform } from '../../sample-app/src/create-app.js';

export interface RunningApp {
  app: INestApplication;
  url: string;
}

/**
 * The sample app on an ephemeral loopback port. Protocol suites run it without authentication
 * (`apiKeys: false`); `test/auth.e2e-spec.ts` passes keys.
 */
export async function startSampleApp(
  platform: HttpPlatform,
  { apiKeys = false }: { apiKeys?: readonly string[] | false } = {},
): Promise<RunningApp> {
  const app = await createApp({ platform, logger: false, apiKeys });
  await app.listen(0, '127.0.0.1');
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}
