import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { Controller, Get, type INestApplication, Req } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { exportJWK, SignJWT } from 'jose';
import {
  configureModelServingApp,
  ModelServingApi,
  ModelServingModule,
  type ModelServingModuleOptions,
  type ModelServingPrincipal,
  Public,
} from 'nest-model-serving';
import {
  call,
  callError,
  makeClient,
  predictionClient,
  REFERENCE_PROTOS,
} from './helpers/grpc-client.js';
import { get, type HttpResult, request } from './helpers/http.js';
import { describeIfPresent, ROOT, SAMPLE_MODELS } from './helpers/paths.js';
import { startSampleApp } from './helpers/sample-app.js';
import { type ServingApp, startServingApp } from './helpers/serving-app.js';

const PLATFORMS = ['express', 'fastify'] as const;
const MODELS = [
  { name: 'half_plus_two', basePath: join(SAMPLE_MODELS, 'half_plus_two') },
  { name: 'iris', basePath: join(SAMPLE_MODELS, 'iris') },
];
const HALF_PLUS_TWO = '{"instances": [1.0, 2.0, 5.0]}';
const IRIS = '{"instances": [[5.1, 3.5, 1.4, 0.2]]}';
const PREDICTIONS = '{\n    "predictions": [2.5, 3.0, 4.5\n    ]\n}';

const ALL_KEY = 'all-models-key-0001';
const IRIS_KEY = 'iris-only-key-0002';
const METADATA_KEY = 'metadata-only-key-0003';
const WRONG_KEY = 'not-a-configured-key-0004';
const SECRET = 'an-hs256-test-secret-of-32-bytes!';
const CREDENTIALS = [ALL_KEY, IRIS_KEY, METADATA_KEY, WRONG_KEY, SECRET];

const API_KEYS: ModelServingModuleOptions['auth'] = {
  apiKeys: [
    { id: 'all', key: ALL_KEY },
    { id: 'iris', key: IRIS_KEY, models: ['iris'] },
    { id: 'meta', key: METADATA_KEY, verbs: ['metadata'] },
  ],
};

const withKey = (key: string) => ({ 'x-api-key': key });
const withBearer = (token: string) => ({ authorization: `Bearer ${token}` });
const predict = (url: string, model: string, body: string, headers: Record<string, string> = {}) =>
  request('POST', `${url}/v1/models/${model}:predict`, body, headers);

/** An error answer in TF Serving's shape that repeats no credential. */
function expectError(res: HttpResult, status: number, message?: RegExp): void {
  expect({ status: res.status, keys: Object.keys((res.json ?? {}) as object) }).toEqual({
    status,
    keys: ['error'],
  });
  if (message) expect(res.json.error).toMatch(message);
  for (const secret of CREDENTIALS) expect(res.text).not.toContain(secret);
}

async function startHeaders(url: string, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}${path}`, { headers });
  await response.text();
  return response;
}

describe.each(PLATFORMS)('API keys on %s', (platform) => {
  let serving: ServingApp;
  let url: string;

  beforeAll(async () => {
    serving = await startServingApp({ models: MODELS, auth: API_KEYS }, platform);
    url = serving.url;
  });

  afterAll(async () => {
    await serving?.app.close();
  });

  it('answers 401 with WWW-Authenticate challenges when no credential is sent', async () => {
    const response = await startHeaders(url, '/v1/models/half_plus_two');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer realm="model-serving", ApiKey realm="model-serving"',
    );
    const res = await predict(url, 'half_plus_two', HALF_PLUS_TWO);
    expectError(res, 401, /^Authentication required/);
  });

  it('answers 401 to a key that is not configured, without repeating it', async () => {
    expectError(
      await predict(url, 'half_plus_two', HALF_PLUS_TWO, withKey(WRONG_KEY)),
      401,
      /^Invalid API key$/,
    );
    const response = await startHeaders(url, '/v1/models/iris', withBearer(WRONG_KEY));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('serves a key in x-api-key or as a bearer token', async () => {
    expect((await predict(url, 'half_plus_two', HALF_PLUS_TWO, withKey(ALL_KEY))).text).toBe(
      PREDICTIONS,
    );
    expect((await predict(url, 'half_plus_two', HALF_PLUS_TWO, withBearer(ALL_KEY))).text).toBe(
      PREDICTIONS,
    );
  });

  it('lets a key granting iris call iris and nothing else (403)', async () => {
    expect((await predict(url, 'iris', IRIS, withKey(IRIS_KEY))).status).toBe(200);
    expect(
      (await request('GET', `${url}/v1/models/iris/metadata`, undefined, withKey(IRIS_KEY))).status,
    ).toBe(200);
    expectError(
      await predict(url, 'half_plus_two', HALF_PLUS_TWO, withKey(IRIS_KEY)),
      403,
      /^Permission denied: this credential may not predict model "half_plus_two"$/,
    );
    expectError(
      await request('GET', `${url}/v1/models/half_plus_two`, undefined, withKey(IRIS_KEY)),
      403,
      /status/,
    );
    expectError(
      await request(
        'POST',
        `${url}/v2/models/half_plus_two/infer`,
        '{"inputs": []}',
        withKey(IRIS_KEY),
      ),
      403,
    );
  });

  it('lets a metadata-only key read metadata but not predict', async () => {
    const metadata = await request(
      'GET',
      `${url}/v1/models/half_plus_two/metadata`,
      undefined,
      withKey(METADATA_KEY),
    );
    expect(metadata.status).toBe(200);
    const v2 = await request('GET', `${url}/v2/models/iris`, undefined, withKey(METADATA_KEY));
    expect(v2.status).toBe(200);
    expectError(
      await predict(url, 'half_plus_two', HALF_PLUS_TWO, withKey(METADATA_KEY)),
      403,
      /may not predict/,
    );
    expectError(
      await request('GET', `${url}/v2/models/iris/ready`, undefined, withKey(METADATA_KEY)),
      403,
      /may not status/,
    );
  });

  it('keeps v2 health and server metadata public, and authenticates malformed paths first', async () => {
    expect((await get(`${url}/v2/health/live`)).status).toBe(200);
    expect((await get(`${url}/v2/health/ready`)).status).toBe(200);
    expect((await get(`${url}/v2`)).status).toBe(200);
    expectError(await get(`${url}/v1/models/half_plus_two/nonsense/deeper`), 401);
    expectError(
      await request(
        'GET',
        `${url}/v1/models/half_plus_two/nonsense/deeper`,
        undefined,
        withKey(IRIS_KEY),
      ),
      400,
    );
  });
});

describeIfPresent(REFERENCE_PROTOS)('API keys over gRPC', () => {
  let serving: ServingApp;
  let prediction: ReturnType<typeof makeClient>;
  let inference: ReturnType<typeof makeClient>;
  let health: ReturnType<typeof makeClient>;
  const request = {
    model_spec: { name: 'half_plus_two' },
    inputs: {
      x: { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: 3 }] }, float_val: [1, 2, 5] },
    },
  };

  beforeAll(async () => {
    serving = await startServingApp({ models: MODELS, auth: API_KEYS }, 'express', { grpc: true });
    prediction = predictionClient(serving.grpcAddress!);
    inference = makeClient(
      join(REFERENCE_PROTOS, 'open_inference'),
      ['open_inference_grpc.proto'],
      'inference.GRPCInferenceService',
      serving.grpcAddress!,
    );
    health = makeClient(
      join(ROOT, 'libs', 'model-serving', 'src', 'protos'),
      ['grpc/health/v1/health.proto'],
      'grpc.health.v1.Health',
      serving.grpcAddress!,
    );
  });

  afterAll(async () => {
    prediction?.close();
    inference?.close();
    health?.close();
    await serving?.app.close();
  });

  it('refuses Predict without metadata (UNAUTHENTICATED) and serves it with a key', async () => {
    const refused = await callError(prediction, 'Predict', request);
    expect(refused.code).toBe(GrpcStatus.UNAUTHENTICATED);
    expect((await callError(prediction, 'Predict', request, 10_000, withKey(WRONG_KEY))).code).toBe(
      GrpcStatus.UNAUTHENTICATED,
    );
    const res = await call(prediction, 'Predict', request, 10_000, withKey(ALL_KEY));
    expect(res.outputs.y.float_val).toEqual([2.5, 3, 4.5]);
    const bearer = await call(prediction, 'Predict', request, 10_000, withBearer(ALL_KEY));
    expect(bearer.outputs.y.float_val).toEqual([2.5, 3, 4.5]);
  });

  it('answers PERMISSION_DENIED to a key without the model or the verb', async () => {
    const denied = await callError(prediction, 'Predict', request, 10_000, withKey(IRIS_KEY));
    expect(denied.code).toBe(GrpcStatus.PERMISSION_DENIED);
    expect(denied.details).not.toContain(IRIS_KEY);
    expect(
      (await callError(prediction, 'Predict', request, 10_000, withKey(METADATA_KEY))).code,
    ).toBe(GrpcStatus.PERMISSION_DENIED);
    const multi = {
      tasks: [
        { model_spec: { name: 'iris' }, method_name: 'tensorflow/serving/classify' },
        { model_spec: { name: 'half_plus_two' }, method_name: 'tensorflow/serving/regress' },
      ],
    };
    expect(
      (await callError(prediction, 'MultiInference', multi, 10_000, withKey(IRIS_KEY))).code,
    ).toBe(GrpcStatus.PERMISSION_DENIED);
  });

  it('guards the Open Inference service, keeping its liveness and gRPC health public', async () => {
    const infer = { model_name: 'half_plus_two', inputs: [] };
    expect((await callError(inference, 'ModelInfer', infer)).code).toBe(GrpcStatus.UNAUTHENTICATED);
    expect((await callError(inference, 'ModelInfer', infer, 10_000, withKey(IRIS_KEY))).code).toBe(
      GrpcStatus.PERMISSION_DENIED,
    );
    expect(
      await call(inference, 'ModelReady', { name: 'iris' }, 10_000, withKey(IRIS_KEY)),
    ).toEqual({
      ready: true,
    });
    expect(await call(inference, 'ServerLive', {})).toEqual({ live: true });
    expect(await call(health, 'Check', { service: '' })).toEqual({ status: 'SERVING' });
  });
});

/** A signed JWT for tests: HS256 with SECRET unless `key` (and its alg) is given. */
async function token(
  claims: Record<string, unknown>,
  {
    key = new TextEncoder().encode(SECRET),
    alg = 'HS256',
    kid,
    expiresInSeconds = 300,
  }: { key?: Uint8Array | KeyObject; alg?: string; kid?: string; expiresInSeconds?: number } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg, ...(kid && { kid }) })
    .setIssuedAt(now - 600)
    .setIssuer('https://issuer.test')
    .setAudience('model-serving')
    .setSubject('svc-1')
    .setExpirationTime(now + expiresInSeconds)
    .sign(key);
}

describe.each(PLATFORMS)('JWT bearer tokens on %s', (platform) => {
  let serving: ServingApp;
  let url: string;

  beforeAll(async () => {
    serving = await startServingApp(
      {
        models: MODELS,
        auth: { jwt: { secret: SECRET, issuer: 'https://issuer.test', audience: 'model-serving' } },
      },
      platform,
    );
    url = serving.url;
  });

  afterAll(async () => {
    await serving?.app.close();
  });

  it('serves a valid HS256 token whose scope grants the model', async () => {
    const jwt = await token({ scope: 'openid predict:half_plus_two metadata:*' });
    expect((await predict(url, 'half_plus_two', HALF_PLUS_TWO, withBearer(jwt))).text).toBe(
      PREDICTIONS,
    );
    expect(
      (await request('GET', `${url}/v1/models/iris/metadata`, undefined, withBearer(jwt))).status,
    ).toBe(200);
    expectError(
      await predict(url, 'iris', IRIS, withBearer(jwt)),
      403,
      /may not predict model "iris"/,
    );
  });

  it('accepts a token expired within the 30 s clock tolerance, refuses one past it', async () => {
    const scope = 'predict:*';
    const fresh = await token({ scope }, { expiresInSeconds: -10 });
    expect((await predict(url, 'half_plus_two', HALF_PLUS_TWO, withBearer(fresh))).status).toBe(
      200,
    );
    const expired = await token({ scope }, { expiresInSeconds: -120 });
    const res = await predict(url, 'half_plus_two', HALF_PLUS_TWO, withBearer(expired));
    expectError(res, 401, /^Invalid bearer token: expired$/);
    expect(res.text).not.toContain(expired);
  });

  it('refuses a wrong audience, a wrong issuer, a wrong secret and an unsigned token', async () => {
    const scope = 'predict:*';
    const audience = await new SignJWT({ scope })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('https://issuer.test')
      .setAudience('someone-else')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(SECRET));
    expectError(
      await predict(url, 'half_plus_two', HALF_PLUS_TWO, withBearer(audience)),
      401,
      /audience/,
    );
    const issuer = await new SignJWT({ scope })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('https://elsewhere.test')
      .setAudience('model-serving')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(SECRET));
    expectError(
      await predict(url, 'half_plus_two', HALF_PLUS_TWO, withBearer(issuer)),
      401,
      /issuer/,
    );
    const forged = await token(
      { scope },
      { key: new TextEncoder().encode('another-secret-of-32-bytes-long!') },
    );
    expectError(
      await predict(url, 'half_plus_two', HALF_PLUS_TWO, withBearer(forged)),
      401,
      /signature/,
    );
    const [header, payload] = forged.split('.');
    expectError(
      await predict(url, 'half_plus_two', HALF_PLUS_TWO, withBearer(`${header}.${payload}.`)),
      401,
    );
  });
});

describe('JWT with RS256 and ES256 public keys (PEM and JWKS files)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'auth-e2e-'));
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let apps: ServingApp[] = [];

  beforeAll(async () => {
    writeFileSync(join(dir, 'rsa.pem'), rsa.publicKey.export({ type: 'spki', format: 'pem' }));
    const jwks = {
      keys: [
        { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
        { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
      ],
    };
    writeFileSync(join(dir, 'jwks.json'), JSON.stringify(jwks));
    apps = [
      await startServingApp({
        models: MODELS,
        auth: { jwt: { publicKeyFile: join(dir, 'rsa.pem') } },
      }),
      await startServingApp({
        models: MODELS,
        auth: { jwt: { jwksFile: join(dir, 'jwks.json') } },
      }),
    ];
  });

  afterAll(async () => {
    for (const app of apps) await app.app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('verifies RS256 with a PEM public key', async () => {
    const [pem] = apps;
    const jwt = await token(
      { scope: 'predict:half_plus_two' },
      { key: rsa.privateKey, alg: 'RS256' },
    );
    expect((await predict(pem!.url, 'half_plus_two', HALF_PLUS_TWO, withBearer(jwt))).status).toBe(
      200,
    );
    const forged = await token({ scope: 'predict:*' }, { key: other.privateKey, alg: 'RS256' });
    expectError(
      await predict(pem!.url, 'half_plus_two', HALF_PLUS_TWO, withBearer(forged)),
      401,
      /signature/,
    );
    // An HS256 token "signed" with the public key text must not pass (algorithm confusion).
    const pemText = new TextEncoder().encode(
      rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string,
    );
    const confused = await token({ scope: 'predict:*' }, { key: pemText });
    expectError(
      await predict(pem!.url, 'half_plus_two', HALF_PLUS_TWO, withBearer(confused)),
      401,
      /algorithm/,
    );
  });

  it('verifies RS256 and ES256 through a JWKS file, picking the key by kid', async () => {
    const jwksApp = apps[1]!;
    const viaRsa = await token(
      { scope: 'predict:*' },
      { key: rsa.privateKey, alg: 'RS256', kid: 'rsa-1' },
    );
    expect(
      (await predict(jwksApp.url, 'half_plus_two', HALF_PLUS_TWO, withBearer(viaRsa))).status,
    ).toBe(200);
    const viaEc = await token(
      { scope: ['status:half_plus_two'] },
      { key: ec.privateKey, alg: 'ES256', kid: 'ec-1' },
    );
    expect(
      (await request('GET', `${jwksApp.url}/v1/models/half_plus_two`, undefined, withBearer(viaEc)))
        .status,
    ).toBe(200);
    expectError(await predict(jwksApp.url, 'half_plus_two', HALF_PLUS_TWO, withBearer(viaEc)), 403);
    const unknown = await token(
      { scope: 'predict:*' },
      { key: other.privateKey, alg: 'RS256', kid: 'nope' },
    );
    expectError(
      await predict(jwksApp.url, 'half_plus_two', HALF_PLUS_TWO, withBearer(unknown)),
      401,
      /no matching key/,
    );
  });
});

@Controller('mine')
@ModelServingApi({ model: 'half_plus_two', verb: 'predict' })
class UserController {
  @Get('open')
  @Public()
  open(): { open: boolean } {
    return { open: true };
  }

  @Get('closed')
  closed(@Req() req: { user?: ModelServingPrincipal }): { id?: string } {
    return { id: req.user?.id };
  }

  @Get('status')
  @ModelServingApi({ verb: 'status' })
  status(): { ok: boolean } {
    return { ok: true };
  }
}

describe.each(PLATFORMS)("a user's own routes on %s", (platform) => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ModelServingModule.forRoot({ models: MODELS.slice(0, 1), auth: API_KEYS })],
      controllers: [UserController],
    }).compile();
    app =
      platform === 'fastify'
        ? moduleRef.createNestApplication(new FastifyAdapter())
        : moduleRef.createNestApplication();
    app.useLogger(false);
    configureModelServingApp(app, { enableShutdownHooks: false });
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
  });

  it('serves a @Public() route without credentials', async () => {
    expect((await get(`${url}/mine/open`)).json).toEqual({ open: true });
  });

  it('guards the rest of a @ModelServingApi() class, with the principal on request.user', async () => {
    expectError(await get(`${url}/mine/closed`), 401);
    expectError(await request('GET', `${url}/mine/closed`, undefined, withKey(IRIS_KEY)), 403);
    const res = await request('GET', `${url}/mine/closed`, undefined, withKey(ALL_KEY));
    expect(res.json).toEqual({ id: 'api-key:all' });
  });

  it('reads the handler before the class', async () => {
    expectError(
      await request('GET', `${url}/mine/status`, undefined, withKey(IRIS_KEY)),
      403,
      /may not status/,
    );
    expect(
      (await request('GET', `${url}/mine/status`, undefined, withKey(METADATA_KEY))).status,
    ).toBe(403);
    expect((await request('GET', `${url}/mine/status`, undefined, withKey(ALL_KEY))).json).toEqual({
      ok: true,
    });
  });
});

describe.each(PLATFORMS)('rate limits on %s', (platform) => {
  let serving: ServingApp;

  beforeAll(async () => {
    serving = await startServingApp(
      {
        models: MODELS.slice(0, 1),
        auth: {
          apiKeys: [
            { id: 'a', key: ALL_KEY },
            { id: 'b', key: IRIS_KEY, models: ['*'] },
            { id: 'c', key: METADATA_KEY, verbs: ['predict'], rateLimit: false },
          ],
          rateLimit: { limit: 3, ttlMs: 60_000 },
        },
      },
      platform,
    );
  });

  afterAll(async () => {
    await serving?.app.close();
  });

  it('answers 429 after the limit for one key while another key still passes', async () => {
    for (let i = 0; i < 3; i++) {
      expect(
        (await predict(serving.url, 'half_plus_two', HALF_PLUS_TWO, withKey(ALL_KEY))).status,
      ).toBe(200);
    }
    const limited = await fetch(`${serving.url}/v1/models/half_plus_two:predict`, {
      method: 'POST',
      body: HALF_PLUS_TWO,
      headers: withKey(ALL_KEY),
    });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await limited.json()) as { error: string };
    expect(body.error).toMatch(/^Rate limit exceeded: 3 requests per 60000 ms/);
    expect(JSON.stringify(body)).not.toContain(ALL_KEY);
    expect(
      (await predict(serving.url, 'half_plus_two', HALF_PLUS_TWO, withKey(IRIS_KEY))).status,
    ).toBe(200);
    for (let i = 0; i < 5; i++) {
      expect(
        (await predict(serving.url, 'half_plus_two', HALF_PLUS_TWO, withKey(METADATA_KEY))).status,
      ).toBe(200);
    }
  });
});

describe.each(PLATFORMS)('metrics and auth on %s', (platform) => {
  const METRICS = '/monitoring/prometheus/metrics';
  let open: ServingApp;
  let guarded: ServingApp;

  beforeAll(async () => {
    const metrics = { enabled: true };
    open = await startServingApp({ models: MODELS, auth: API_KEYS, metrics }, platform);
    guarded = await startServingApp(
      { models: MODELS, auth: { ...API_KEYS, publicMetrics: false }, metrics },
      platform,
    );
  });

  afterAll(async () => {
    await open?.app.close();
    await guarded?.app.close();
  });

  it('serves the scrape without credentials by default', async () => {
    const res = await get(`${open.url}${METRICS}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain(':tensorflow:serving:request_count');
  });

  it('with publicMetrics off, asks for a credential granting status on every model', async () => {
    const anonymous = await startHeaders(guarded.url, METRICS);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe(
      'Bearer realm="model-serving", ApiKey realm="model-serving"',
    );
    expectError(await request('GET', `${guarded.url}${METRICS}`), 401, /^Authentication required/);
    // iris-only grants status on one model; metadata-only grants no status at all.
    for (const key of [IRIS_KEY, METADATA_KEY]) {
      expectError(
        await request('GET', `${guarded.url}${METRICS}`, undefined, withKey(key)),
        403,
        /^Permission denied: this credential may not status the server$/,
      );
    }
    const scraped = await request('GET', `${guarded.url}${METRICS}`, undefined, withKey(ALL_KEY));
    expect(scraped.status).toBe(200);
    expect(scraped.text).toContain(':tensorflow:serving:request_count');
  });
});

describe.each(PLATFORMS)('auth off on %s', (platform) => {
  let serving: ServingApp;

  beforeAll(async () => {
    serving = await startServingApp({ models: MODELS.slice(0, 1) }, platform, {
      grpc: platform === 'express',
    });
  });

  afterAll(async () => {
    await serving?.app.close();
  });

  it('serves every route as before, without credentials', async () => {
    expect((await predict(serving.url, 'half_plus_two', HALF_PLUS_TWO)).text).toBe(PREDICTIONS);
    expect((await get(`${serving.url}/v1/models/half_plus_two`)).status).toBe(200);
    expect(
      (await predict(serving.url, 'half_plus_two', HALF_PLUS_TWO, withKey(WRONG_KEY))).status,
    ).toBe(200);
  });
});

describe('the sample app', () => {
  it('refuses a @Predict route without its key and serves it with one', async () => {
    const running = await startSampleApp('express', { apiKeys: [ALL_KEY] });
    try {
      const body = '{"sepalLength": 7.7, "sepalWidth": 3.8, "petalLength": 6.7, "petalWidth": 2.2}';
      expectError(
        await request('POST', `${running.url}/iris/classify`, body, {
          'content-type': 'application/json',
        }),
        401,
      );
      const res = await request('POST', `${running.url}/iris/classify`, body, {
        'content-type': 'application/json',
        ...withKey(ALL_KEY),
      });
      expect(res.json.species).toBe('virginica');
    } finally {
      await running.app.close();
    }
  });
});
