import { aspiredVersions, parseVersionDirName } from './version-policy.js';

describe('aspiredVersions', () => {
  const present = [3, 1, 10, 2];

  it('keeps the newest n for latest', () => {
    expect(aspiredVersions({ latest: 1 }, present)).toEqual([10]);
    expect(aspiredVersions({ latest: 2 }, present)).toEqual([10, 3]);
    expect(aspiredVersions({ latest: 9 }, present)).toEqual([10, 3, 2, 1]);
  });

  it('keeps every version for all', () => {
    expect(aspiredVersions({ all: true }, present)).toEqual([10, 3, 2, 1]);
  });

  it('keeps only the listed versions that exist for specific', () => {
    expect(aspiredVersions({ specific: [1, 3, 7] }, present)).toEqual([3, 1]);
    expect(aspiredVersions({ specific: [] }, present)).toEqual([]);
  });

  it('aspires nothing when nothing is present', () => {
    expect(aspiredVersions({ latest: 1 }, [])).toEqual([]);
  });
});

describe('parseVersionDirName', () => {
  it.each([
    ['1', 1],
    ['00000123', 123],
    ['0', 0],
  ])('reads %s as %d', (name, version) => {
    expect(parseVersionDirName(name)).toBe(version);
  });

  it.each(['v1', '1a', '-1', '', '1.5', '99999999999999999999', 'assets'])('ignores %j', (name) => {
    expect(parseVersionDirName(name)).toBeUndefined();
  });
});
