import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelServingConfigError } from '../errors/model-serving-config.error.js';
import { resolveAuthOptions, sha256 } from './resolve-auth-options.js';

const KEY = 'a-test-key-0001';

describe('resolveAuthOptions', () => {
  it('is off without options', () => {
    expect(resolveAuthOptions(undefined)).toBeUndefined();
  });

  it('hashes keys, keeps no plain key and applies the default grant', () => {
    const auth = resolveAuthOptions({ apiKeys: [{ id: 'k', key: KEY }] })!;
    expect(auth.apiKeys[0]!.digest.equals(sha256(KEY))).toBe(true);
    expect(JSON.stringify(auth)).not.toContain(KEY);
    expect(auth.apiKeys[0]!.grant).toEqual({
      models: ['*'],
      verbs: ['predict', 'metadata', 'status'],
    });
    expect(auth).toMatchObject({ publicHealth: true, publicMetrics: true, realm: 'model-serving' });
    expect(Object.isFrozen(auth)).toBe(true);
  });

  it('takes a SHA-256 instead of the key', () => {
    const hex = sha256(KEY).toString('hex');
    const auth = resolveAuthOptions({ apiKeys: [{ id: 'k', sha256: hex }] })!;
    expect(auth.apiKeys[0]!.digest.equals(sha256(KEY))).toBe(true);
  });

  it('reads keys from a JSON file and from an environment variable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'auth-spec-'));
    try {
      const file = join(dir, 'keys.json');
      writeFileSync(file, JSON.stringify([{ id: 'f', key: KEY, models: ['iris'] }]));
      process.env['AUTH_SPEC_KEYS'] = 'first-key-0001, second-key-0002';
      const auth = resolveAuthOptions({ apiKeysFile: file, apiKeysEnv: 'AUTH_SPEC_KEYS' })!;
      expect(auth.apiKeys.map((k) => k.id)).toEqual([
        'f',
        'AUTH_SPEC_KEYS[0]',
        'AUTH_SPEC_KEYS[1]',
      ]);
      expect(auth.apiKeys[0]!.grant.models).toEqual(['iris']);
      expect(auth.apiKeys[2]!.digest.equals(sha256('second-key-0002'))).toBe(true);
    } finally {
      delete process.env['AUTH_SPEC_KEYS'];
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('turns the clock tolerance into seconds and picks algorithms from the key', () => {
    const auth = resolveAuthOptions({ jwt: { secret: 'a-secret-of-at-least-16' } })!;
    expect(auth.jwt).toMatchObject({ algorithms: ['HS256'], clockToleranceSeconds: 30 });
  });

  it.each([
    [{}, /^Invalid option auth: configures no credential/],
    [{ apiKeys: [{ id: 'k' }] }, /auth\.apiKeys\[0\]: needs key or sha256/],
    [{ apiKeys: [{ id: 'k', key: 'short' }] }, /auth\.apiKeys\[0\]\.key: /],
    [
      { apiKeys: [{ id: 'k', key: KEY, verbs: ['write'] }] },
      /auth\.apiKeys\[0\]\.verbs: "write" is not one of/,
    ],
    [
      {
        apiKeys: [
          { id: 'k', key: KEY },
          { id: 'k', key: `${KEY}x` },
        ],
      },
      /auth\.apiKeys\[1\]\.id: duplicates/,
    ],
    [
      { apiKeysEnv: 'AUTH_SPEC_UNSET' },
      /auth\.apiKeysEnv: the variable AUTH_SPEC_UNSET is not set/,
    ],
    [{ apiKeysFile: '/nonexistent/keys.json' }, /auth\.apiKeysFile: cannot read/],
    [{ jwt: {} }, /auth\.jwt: takes exactly one of/],
    [{ jwt: { secret: 'short' } }, /auth\.jwt\.secret: /],
    [
      { jwt: { secret: 'a-secret-of-at-least-16', clockToleranceMs: -1 } },
      /auth\.jwt\.clockToleranceMs: /,
    ],
    [
      { apiKeys: [{ id: 'k', key: KEY }], rateLimit: { limit: 0, ttlMs: 1000 } },
      /auth\.rateLimit\.limit: /,
    ],
    [
      { apiKeys: [{ id: 'k', key: KEY }], publicMetrics: 'no' },
      /auth\.publicMetrics: must be a boolean/,
    ],
  ])('refuses %j naming the field', (options, message) => {
    expect(() => resolveAuthOptions(options as never)).toThrow(ModelServingConfigError);
    expect(() => resolveAuthOptions(options as never)).toThrow(message);
  });
});
