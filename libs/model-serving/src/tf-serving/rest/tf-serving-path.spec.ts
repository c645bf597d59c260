import { InvalidInputError } from '../../errors/invalid-input.error.js';
import { parseTfServingRoute } from './tf-serving-path.js';

describe('parseTfServingRoute', () => {
  it.each([
    ['/v1/models/half:predict', { kind: 'prediction', verb: 'predict', name: 'half' }],
    [
      '/v1/models/half/versions/00000123:regress',
      { kind: 'prediction', verb: 'regress', name: 'half', version: 123 },
    ],
    [
      '/v1/models/half/labels/stable:classify',
      { kind: 'prediction', verb: 'classify', name: 'half', label: 'stable' },
    ],
    ['/V1/MODELS/half:predict', { kind: 'prediction', verb: 'predict', name: 'half' }],
    ['/v1/models/a%20b:predict', { kind: 'prediction', verb: 'predict', name: 'a b' }],
  ])('POST %s', (url, expected) => {
    expect(parseTfServingRoute('POST', url)).toEqual(expected);
  });

  it.each([
    ['/v1/models/half', { kind: 'status', name: 'half' }],
    ['/v1/models/half/versions/7', { kind: 'status', name: 'half', version: 7 }],
    ['/v1/models/half/labels/canary', { kind: 'status', name: 'half', label: 'canary' }],
    ['/v1/models/half/metadata', { kind: 'metadata', name: 'half' }],
    ['/v1/models/half/versions/7/metadata', { kind: 'metadata', name: 'half', version: 7 }],
    // TF Serving compares the sub-resource case-sensitively after a case-insensitive match.
    ['/v1/models/half/METADATA', { kind: 'status', name: 'half' }],
  ])('GET %s', (url, expected) => {
    expect(parseTfServingRoute('GET', url)).toEqual(expected);
  });

  it.each([
    ['POST', '/v1/foo'],
    ['POST', '/v1/models'],
    ['POST', '/v1/models/foo/version/50:regress'],
    ['POST', '/v1/models/foo/versions/HELLO:regress'],
    ['POST', '/v1/models/foo/metadata'],
    ['POST', '/v1/models/foo/versions/50/labels/x:regress'],
    ['POST', '/v1/models/foo:PREDICT'],
    ['POST', '/v1/models/foo:predict?x=1'],
    ['GET', '/v1/foo'],
    ['GET', '/v1/models/debug/model_name'],
    ['GET', '/v1/models/foo:predict'],
    ['GET', '/v1/models/'],
    ['PUT', '/v1/models/foo'],
  ])('%s %s is malformed', (method, url) => {
    expect(() => parseTfServingRoute(method, url)).toThrow(
      new InvalidInputError(`Malformed request: ${method} ${url}`),
    );
  });

  it('asks for a model name', () => {
    expect(() => parseTfServingRoute('GET', '/v1/models')).toThrow(
      'Missing model name in request.',
    );
  });

  it('refuses versions past int64 or exact integers', () => {
    expect(() => parseTfServingRoute('GET', '/v1/models/m/versions/18446744073709551615')).toThrow(
      'Failed to convert version: 18446744073709551615 to numeric.',
    );
  });

  it('refuses undecodable names', () => {
    expect(() => parseTfServingRoute('POST', '/v1/models/%E0%A4%A:predict')).toThrow(
      'Failed to decode model name:%E0%A4%A',
    );
  });
});
