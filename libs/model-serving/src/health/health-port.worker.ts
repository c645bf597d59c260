// The probes' own port, served from a worker thread so that they answer at once while the main
// thread is busy decoding requests. The main thread posts both probes' answers every 100 ms and
// stamps a shared clock each time; when the stamp is older than the liveness threshold, the
// main thread is stuck and both probes answer 503 whatever was posted last.
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import {
  type HealthPortAnswer,
  type HealthPortAnswers,
  type HealthPortWorkerData,
} from './health-port.protocol.js';

const data = workerData as HealthPortWorkerData;
const stamp = new Float64Array(data.stamp);
let answers: HealthPortAnswers | undefined;
parentPort!.on('message', (message: HealthPortAnswers) => (answers = message));

const json = (code: number, body: unknown): HealthPortAnswer => ({
  code,
  body: JSON.stringify(body),
});

/** Both probes' answer while the main thread has not stamped the clock for too long. */
function stuck(): HealthPortAnswer | undefined {
  const silentMs = Math.round(Date.now() - stamp[0]!);
  if (silentMs <= data.maxLagMs) return undefined;
  const entry = {
    status: 'down',
    message: `event loop lag ${silentMs} ms over ${data.maxLagMs} ms`,
    lagMs: silentMs,
    maxLagMs: data.maxLagMs,
  };
  return json(503, {
    status: 'error',
    info: {},
    error: { eventLoop: entry },
    details: { eventLoop: entry },
  });
}

const starting = (): HealthPortAnswer => {
  const entry = { status: 'down', message: 'starting' };
  return json(503, {
    status: 'error',
    info: {},
    error: { serving: entry },
    details: { serving: entry },
  });
};

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  let answer: HealthPortAnswer;
  if (req.method !== 'GET' && req.method !== 'HEAD')
    answer = json(405, { error: 'Method Not Allowed' });
  else if (path === data.livenessPath) answer = stuck() ?? answers?.liveness ?? starting();
  else if (path === data.readinessPath) answer = stuck() ?? answers?.readiness ?? starting();
  else answer = json(404, { error: 'Not Found' });
  res.writeHead(answer.code, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(answer.body),
    'cache-control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : answer.body);
});
server.keepAliveTimeout = 5000;
server.on('error', (error) => parentPort!.postMessage({ error: error.message }));
server.listen(data.port, data.host, () =>
  parentPort!.postMessage({ listening: (server.address() as AddressInfo).port }),
);
