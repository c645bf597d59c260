import { post } from './helpers/http.js';
import { type RunningApp, startSampleApp } from './helpers/sample-app.js';

const VIRGINICA = { sepalLength: 7.7, sepalWidth: 3.8, petalLength: 6.7, petalWidth: 2.2 };

describe.each(['express', 'fastify'] as const)('@Predict request bodies on %s', (platform) => {
  let running: RunningApp;
  let url: string;

  beforeAll(async () => {
    running = await startSampleApp(platform);
    url = `${running.url}/iris/classify`;
  });

  afterAll(async () => {
    await running.app.close();
  });

  it('reads JSON sent the way `curl -d` sends it (as a form), like the /v1 routes', async () => {
    const res = await post(url, JSON.stringify(VIRGINICA));
    expect(res.status).toBe(200);
    expect(res.json.species).toBe('virginica');
    expect(Object.keys(res.json.probabilities as object)).toEqual([
      'setosa',
      'versicolor',
      'virginica',
    ]);
  });

  it('keeps numbers written with an exponent sign intact in a form-sent body', async () => {
    const res = await post(url, JSON.stringify(VIRGINICA).replace('7.7', '7.7e+0'));
    expect(res.status).toBe(200);
    expect(res.json.species).toBe('virginica');
  });

  it('answers a form-sent body that starts like JSON but does not parse with one 400', async () => {
    const res = await post(url, '{"sepalLength": 7.7,');
    expect(res.status).toBe(400);
    expect(Object.keys(res.json as object)).toEqual(['error']);
    expect(res.json.error).toMatch(/^The request body is not valid JSON: /);
  });

  it('names a string sent for a number field once, with the value sent', async () => {
    const res = await post(
      url,
      JSON.stringify({ ...VIRGINICA, sepalLength: '7.7' }),
      'application/json',
    );
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ error: 'sepalLength must be a number (got the string "7.7")' });
  });

  it('names each wrong or missing field once', async () => {
    const res = await post(
      url,
      JSON.stringify({ sepalLength: 7.7, sepalWidth: true, petalLength: 6.7 }),
    );
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      error:
        'sepalWidth must be a number (got the boolean true); petalWidth must be a number (got nothing)',
    });
  });

  it('still says which bound a number of the right type breaks', async () => {
    const res = await post(url, JSON.stringify({ ...VIRGINICA, petalWidth: -1 }));
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ error: 'petalWidth must not be less than 0' });
  });
});
