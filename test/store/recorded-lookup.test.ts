import { createActivities } from '../../activities';
import { closePythonHelpers } from '../../python';
import { recordBacktest } from '../../store/records';
import { momentumAlgorithm } from '../helpers/algorithms';
import { testDeps } from '../helpers/deps';

const statistics = { sharpeRatio: 1.23, drawdown: 0.18, compoundingAnnualReturn: 0.11, netProfit: 0.7, winRate: 0.55, totalOrders: 140 };

/**
 * The quality gate looks up a recorded backtest of the program it passed, in the same activity
 * (an evolution's evaluation then needs no round trip of its own for it before the compile).
 */
describe('the quality gate with recordedFor', () => {
  const deps = testDeps({});
  const { checkAlgorithm } = createActivities(deps);
  afterAll(async () => {
    await deps.cleanup();
    closePythonHelpers();
  });

  it('finds a backtest of the gated program over the same period, recorded by any run, and nothing for another period', async () => {
    const period = { start: '2016-01-04', end: '2020-12-31' };
    const code = momentumAlgorithm('LookedUp');
    const before = await checkAlgorithm({ code, ...period, recordedFor: period });
    expect(before.problem).toBeNull();
    expect(before.recorded).toBeNull();
    // recorded under the hash the gate gives (after the period is written into the code), as an evaluation records it
    await recordBacktest(deps.prisma, { runId: 'earlier-run', codeHash: before.codeHash, family: 'momentum', ...period, statistics });
    const after = await checkAlgorithm({ code, ...period, recordedFor: period });
    expect(after.codeHash).toBe(before.codeHash);
    expect(after.recorded).toEqual({ runId: 'earlier-run', statistics });
    const otherPeriod = { start: '2021-01-04', end: '2022-12-30' };
    expect((await checkAlgorithm({ code, ...period, recordedFor: otherPeriod })).recorded).toBeNull();
    // not asked: the gate alone, as every caller but an evolution uses it
    expect(await checkAlgorithm({ code, ...period })).not.toHaveProperty('recorded');
  });

  it('does not look up a program the gate refused', async () => {
    const period = { start: '2016-01-04', end: '2020-12-31' };
    const broken = momentumAlgorithm('Broken').replace(/def initialize\(self\):/, 'def initialize(self)');
    const check = await checkAlgorithm({ code: broken, ...period, recordedFor: period });
    expect(check.problem?.kind).toBe('syntax');
    expect(check).not.toHaveProperty('recorded');
  });
});
