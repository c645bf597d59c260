// Timing helpers of `npm run bench`: bounded request loops on loopback.
import { createServer as createTcpServer } from 'node:net';

export const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 3);
export const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 8);

/** A loopback port the OS just handed out. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createTcpServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Runs `task` from `workers` loops for SECONDS; answers requests per second. */
export async function measure(
  task: () => Promise<unknown>,
  workers = CONCURRENCY,
): Promise<number> {
  for (let i = 0; i < 50; i++) await task(); // warm-up
  const end = Date.now() + SECONDS * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (Date.now() < end) {
        await task();
        done++;
      }
    }),
  );
  return done / SECONDS;
}
