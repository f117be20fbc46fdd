import { MockActivityEnvironment } from '@temporalio/testing';
import { heartbeat, keepAliveIntervalMs, whileHeartbeating } from '../../activities/context';

/**
 * An activity whose work runs until `finish()`: heartbeats are counted on fake timers, so the
 * counts are exact whatever the machine's load.
 */
function activity(info: ConstructorParameters<typeof MockActivityEnvironment>[0], work: (wait: Promise<void>) => Promise<unknown>) {
  const env = new MockActivityEnvironment(info);
  const seen: unknown[] = [];
  env.on('heartbeat', (details: unknown) => seen.push(details));
  let finish!: () => void;
  const wait = new Promise<void>((r) => (finish = r));
  const running = env.run(() => work(wait));
  return { seen, finish, running };
}

describe('activity heartbeats', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  it('come about once a second, and at least four times per heartbeat timeout', () => {
    expect(keepAliveIntervalMs(5_000)).toBe(1_000);
    expect(keepAliveIntervalMs(60_000)).toBe(1_000);
    expect(keepAliveIntervalMs(2_000)).toBe(500);
  });

  it('keep a long call alive while it runs, and stop when it ends', async () => {
    const a = activity({ heartbeatTimeoutMs: 5_000 }, (wait) => whileHeartbeating(() => wait));
    await jest.advanceTimersByTimeAsync(4_500);
    expect(a.seen).toHaveLength(4);
    a.finish();
    await a.running;
    await jest.advanceTimersByTimeAsync(5_000);
    expect(a.seen).toHaveLength(4);
  });

  it('repeat the latest details, so a retried attempt still finds what the last one recorded', async () => {
    const a = activity({ heartbeatTimeoutMs: 5_000 }, (wait) =>
      whileHeartbeating(async () => {
        heartbeat({ backtestId: 'bt-1' });
        await wait;
      }),
    );
    await jest.advanceTimersByTimeAsync(3_000);
    a.finish();
    await a.running;
    expect(a.seen).toEqual([{ backtestId: 'bt-1' }, { backtestId: 'bt-1' }, { backtestId: 'bt-1' }, { backtestId: 'bt-1' }]);
  });

  it("keep the previous attempt's details until this attempt records its own", async () => {
    const progress = { backtestId: 'bt-0', progress: 0.5 };
    const a = activity({ heartbeatTimeoutMs: 5_000, heartbeatDetails: { backtestId: 'bt-0' }, attempt: 2 }, (wait) =>
      whileHeartbeating(async () => {
        await wait;
        heartbeat(progress);
        await new Promise((r) => setTimeout(r, 1_500));
      }),
    );
    await jest.advanceTimersByTimeAsync(2_000);
    a.finish();
    await jest.advanceTimersByTimeAsync(1_500);
    await a.running;
    expect(a.seen).toEqual([{ backtestId: 'bt-0' }, { backtestId: 'bt-0' }, progress, progress]);
  });

  it('are not sent for activities without a heartbeat timeout, nor twice for nested calls', async () => {
    const none = activity({ heartbeatTimeoutMs: undefined }, (wait) => whileHeartbeating(() => wait));
    const nested = activity({ heartbeatTimeoutMs: 5_000 }, (wait) => whileHeartbeating(() => whileHeartbeating(() => wait)));
    await jest.advanceTimersByTimeAsync(3_000);
    none.finish();
    nested.finish();
    await Promise.all([none.running, nested.running]);
    expect(none.seen).toEqual([]);
    expect(nested.seen).toHaveLength(3);
  });

  it('are a no-op outside an activity', async () => {
    expect(() => heartbeat({ x: 1 })).not.toThrow();
    await expect(whileHeartbeating(async () => 7)).resolves.toBe(7);
  });
});
