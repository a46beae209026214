import { searchText } from '../../src/domain/searchText';
import { ftsQuery } from '../../src/infrastructure/sqlite/ftsQuery';

describe('search text', () => {
  // Regression: the incremental path saw the caller's key order, a rebuild the canonical order, and the
  // FTS rows differed (found by the rebuild-equals-incremental property).
  it('does not depend on the key order of the body', () => {
    expect(searchText({ ' ': '', '': '!' })).toBe(searchText({ '': '!', ' ': '' }));
    expect(searchText({ b: 'second', a: 'first', 10: 'ten', 9: 'nine' })).toBe('ten nine first second');
  });
  it('collects every string at any depth and nothing else', () => {
    expect(searchText({ text: 'a', n: 1, tags: ['b', { c: 'd' }], nil: null, t: true })).toBe('b d a'); // keys in canonical order: n, nil, t, tags, text
    expect(searchText('just text')).toBe('just text');
  });
  it('turns any input into a safe FTS5 query', () => {
    expect(ftsQuery('garlic "OR" NEAR(x')).toBe('"garlic" "OR" "NEAR" "x"');
    expect(ftsQuery('  *** ')).toBeNull();
  });
});
