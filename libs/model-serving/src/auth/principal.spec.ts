import { grantsFromScope } from './jwt.strategy.js';
import { isAllowed } from './principal.js';

describe('grants', () => {
  it('reads verb:model items of a scope string or list and ignores others', () => {
    expect(grantsFromScope('openid predict:iris metadata:* write:x :y z:')).toEqual([
      { verbs: ['predict'], models: ['iris'] },
      { verbs: ['metadata'], models: ['*'] },
    ]);
    expect(grantsFromScope(['status:iris', 7])).toEqual([{ verbs: ['status'], models: ['iris'] }]);
    expect(grantsFromScope(undefined)).toEqual([]);
  });

  it('allows a verb on a model when one grant covers both', () => {
    const grants = grantsFromScope('predict:iris metadata:*');
    expect(isAllowed(grants, 'predict', 'iris')).toBe(true);
    expect(isAllowed(grants, 'predict', 'half_plus_two')).toBe(false);
    expect(isAllowed(grants, 'metadata', 'half_plus_two')).toBe(true);
    expect(isAllowed(grants, 'admin', '*')).toBe(false);
    expect(isAllowed(grantsFromScope('*:*'), 'admin', '*')).toBe(true);
    // `*` as the model (the server itself) needs a grant of `*`, not of one model.
    expect(isAllowed(grantsFromScope('admin:iris'), 'admin', '*')).toBe(false);
  });
});
