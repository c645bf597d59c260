import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp, type HttpPlatform } from './create-app.js';

async function bootstrap(): Promise<void> {
  const port = Number(process.env['REST_API_PORT'] ?? 8501);
  const host = process.env['HOST'] ?? '0.0.0.0';
  const platform = (process.env['HTTP_PLATFORM'] ?? 'express') as HttpPlatform;
  // configureModelServingApp enables shutdown hooks: SIGTERM unloads every model cleanly.
  const app = await createApp({ platform });
  await app.listen(port, host);
  new Logger('SampleApp').log(`REST listening on ${await app.getUrl()}`);
}

void bootstrap();
