import { checkJsonLimits } from '../../../module/request-limits.js';
import { JsonLimitError, parseJson } from './json-reader.js';

const LIMITS = { maxDepth: 3, maxElements: 6 };

/** What the limits say of a body: parsed in one pass, and scanned before parsing. */
function verdicts(body: string): { parsed: string; scanned: string } {
  const bytes = new TextEncoder().encode(body);
  const say = (f: () => unknown) => {
    try {
      f();
      return 'ok';
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  };
  const parsed = say(() => {
    try {
      parseJson(bytes, LIMITS);
    } catch (error) {
      if (error instanceof JsonLimitError) throw error;
    }
  });
  return { parsed, scanned: say(() => checkJsonLimits(bytes, LIMITS)) };
}

describe('JSON limits checked while parsing', () => {
  it.each([
    ['[1,2,3,4,5,6]', 'ok'],
    ['[1,2,3,4,5,6,7]', 'The JSON body has more than 6 elements (maxJsonElements)'],
    ['{"a":[1,2],"b":{"c":[3]}}', 'ok'],
    ['{"a":[1,2,3],"b":{"c":[4]}}', 'The JSON body has more than 6 elements (maxJsonElements)'],
    ['[[[1]]]', 'ok'],
    ['[[[[1]]]]', 'The JSON body nests deeper than 3 levels (maxJsonDepth)'],
    ['{"a":{"b":{"c":1}}}', 'ok'],
    ['{"a":{"b":{"c":{}}}}', 'The JSON body nests deeper than 3 levels (maxJsonDepth)'],
    ['[[],[],{},"[[[[,,,,,,,"]', 'ok'],
    ['[[[[', 'The JSON body nests deeper than 3 levels (maxJsonDepth)'],
    ['[ 1 , 2 ,3, [ 4 , 5 ] ]', 'ok'],
  ])('%s: %s, as the scan before parsing says', (body, verdict) => {
    expect(verdicts(body)).toEqual({ parsed: verdict, scanned: verdict });
  });

  it('stops a deep or long body at the first token past the limit, not at its end', () => {
    const deep = `${'['.repeat(100_000)}oops`;
    expect(() => parseJson(deep, LIMITS)).toThrow(JsonLimitError);
    const long = `[${'0,'.repeat(1_000_000)}`;
    expect(() => parseJson(long, { maxDepth: 10, maxElements: 10 })).toThrow(
      'The JSON body has more than 10 elements (maxJsonElements)',
    );
  });

  it('reports a syntax error met before any limit as the parse error it is', () => {
    expect(() => parseJson('[1,,2,3,4,5,6,7,8]', LIMITS)).toThrow(
      'JSON Parse error: Invalid value. at offset: 3',
    );
  });
});
