const { add } = require('./calc');

describe('calc', () => {
  test('adds', () => {
    expect(add(2, 3)).toBe(5);
  });
  test('subtracts', () => {
    expect(3 - 2).toBe(1);
  });
});
