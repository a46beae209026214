import { certainSkew } from '../../src/plugins/s3-transport/serverClock';

// The server stamps `Date` in whole seconds somewhere between our send and our receipt: only a difference that
// remains whatever the truncation and the round trip counts.
describe('certainSkew', () => {
  const at = (sentAt: number, receivedAt: number, serverMs: number) => ({ sentAt, receivedAt, serverDate: Math.floor(serverMs / 1000) * 1000 });

  it('is 0 for agreeing clocks, wherever in the second and however long the round trip', () => {
    for (const t of [10_000, 10_001, 10_999]) {
      expect(certainSkew(at(t - 40, t + 40, t))).toBe(0);
      expect(certainSkew(at(t - 900, t + 900, t))).toBe(0);
    }
  });

  it('is 0 for differences the sample cannot tell apart (under a second plus the round trip)', () => {
    expect(certainSkew(at(10_000, 10_010, 10_005 + 900))).toBe(0);
    expect(certainSkew(at(10_000, 10_010, 10_005 - 900))).toBe(0);
  });

  it('bounds a local clock behind the server from below (positive either way)', () => {
    // local 10 s behind: the server says 20 s while we are at 10.000–10.010
    expect(certainSkew(at(10_000, 10_010, 20_005))).toBe(20_000 - 10_010);
  });

  it('bounds a local clock ahead of the server from below', () => {
    // local 10 s ahead: the server says 0.xxx s while we are at 10.000–10.010
    expect(certainSkew(at(10_000, 10_010, 5))).toBe(10_000 - 1000);
  });
});
