import { grisuDtoa } from './grisu-dtoa.js';

// Expected strings checked against rapidjson 1.1.0 `Writer::Double`.
describe('grisuDtoa', () => {
  it.each([
    [1, '1.0'],
    [0.1, '0.1'],
    [0.001, '0.001'],
    [1e-7, '1e-7'],
    [1.5e30, '1.5e30'],
    [1e20, '100000000000000000000.0'],
    [1e21, '1e21'],
    [123.456, '123.456'],
    [-2.5, '-2.5'],
    [0, '0.0'],
    [-0, '-0.0'],
    [5e-324, '5e-324'],
    [1.7976931348623157e308, '1.7976931348623157e308'],
    // Grisu2 is not always the shortest form that reads back:
    [1e23, '9.999999999999999e22'],
    [8.41e21, '8.409999999999999e21'],
    [3.969760402592684e119, '3.9697604025926839e119'],
  ])('%p → %s', (value, text) => {
    expect(grisuDtoa(value)).toBe(text);
  });
});
