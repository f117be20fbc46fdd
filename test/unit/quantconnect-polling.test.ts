import { BacktestPollClock, backoffWait } from '../../activities/quantconnect/polling';

describe('waits between reads of QuantConnect\'s background work', () => {
  it('reads a compile after an eighth of the poll interval, then doubles the wait up to the interval', () => {
    expect([0, 1, 2, 3, 4, 10].map((n) => backoffWait(n, 3000))).toEqual([375, 750, 1500, 3000, 3000, 3000]);
  });

  it('waits the poll interval while a backtest is queued, then reads at its expected end', () => {
    const clock = new BacktestPollClock(3000);
    expect(clock.next(0, 0)).toBe(3000);
    expect(clock.next(0, 3000)).toBe(3000);
    // 10 % in 3 s since the last reading at 0 %: 27 s left, more than the interval
    expect(clock.next(0.1, 6000)).toBe(3000);
    // 90 % after 27 s of running: 3 s left at that rate
    expect(clock.next(0.9, 30_000)).toBeCloseTo(3000, 6);
    // 95 %: 1.5 s left, read after 1.5 s instead of 3
    expect(clock.next(0.95, 31_500)).toBeCloseTo(1500, 6);
  });

  it('never reads sooner than an eighth of the interval, and backs off when the expected end passes without a result', () => {
    const clock = new BacktestPollClock(800);
    clock.next(0, 0);
    // done at 1000 ms by the rate: 10 ms left, but the wait is at least 100 ms
    expect(clock.next(0.99, 990)).toBe(100);
    // still running at 100 %, past the expected end: the shortest wait doubles each time
    expect(clock.next(1, 1090)).toBe(200);
    expect(clock.next(1, 1290)).toBe(400);
    expect(clock.next(1, 1690)).toBe(800);
    expect(clock.next(1, 2490)).toBe(800);
  });

  it('takes a progress that went back, or is not a number, as a new start', () => {
    const clock = new BacktestPollClock(1000);
    clock.next(0.5, 0);
    expect(clock.next(0.2, 1000)).toBe(1000);
    expect(clock.next(Number.NaN, 2000)).toBe(1000);
    // 0 → 60 % in 3 s: 2 s left, the interval
    expect(clock.next(0.6, 5000)).toBe(1000);
    // 90 % at 6.5 s, at the same rate: 0.5 s left
    expect(clock.next(0.9, 6500)).toBeCloseTo(500, 0);
  });
});
