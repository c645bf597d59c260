import { crc32c, crc32cExtend, maskCrc, unmaskCrc } from './crc32c.js';

const ascii = (s: string) => new TextEncoder().encode(s);

describe('crc32c', () => {
  it('matches the standard check value and RFC 3720 vectors', () => {
    expect(crc32c(ascii('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it('extends over pieces the same as over the whole, at any split', () => {
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7919) & 0xff);
    const whole = crc32c(bytes);
    for (const split of [0, 1, 7, 8, 9, 500, 999, 1000]) {
      expect(crc32cExtend(crc32c(bytes, 0, split), bytes, split)).toBe(whole);
    }
  });

  it('masks and unmasks as LevelDB does', () => {
    for (const crc of [0, 1, 0xe3069283, 0xffffffff, 0x12345678]) {
      expect(unmaskCrc(maskCrc(crc))).toBe(crc);
      expect(maskCrc(crc)).not.toBe(crc);
    }
    // TensorFlow's checkpoint of 0.5 as float32 stores this masked CRC.
    expect(maskCrc(crc32c(Uint8Array.of(0, 0, 0, 0x3f)))).toBe(0x1f273806);
  });
});
