import { stopMessage } from '../../cli/commands/evolve/stop';
import type { EvolutionStatus } from '../../workflows/evolution';

const status = (inFlight: EvolutionStatus['inFlight']): EvolutionStatus => ({
  id: 'evolve-x',
  status: 'running',
  generation: 2,
  bestFitness: 1,
  backtestsUsed: 4,
  tokensUsed: 10,
  tokens: { input: 5, output: 5 },
  inFlight,
  best: null,
  budget: {},
  stopRequested: true,
  stopReason: null,
  overfitting: null,
});

describe('evolve stop message', () => {
  it('names each variant in flight and the one step it still completes', () => {
    const text = stopMessage('evolve-x', status([{ variantId: 'v0007', stage: 'backtest' }, { variantId: 'v0008', stage: 'propose' }, { variantId: 'v0009', stage: 'queued' }]));
    expect(text).toContain('no new proposal, repair, compile or backtest will start');
    expect(text).toContain('v0007 (backtest): its backtest finishes and is scored');
    expect(text).toContain('v0008 (propose): its LLM proposal finishes and is recorded; it will not be compiled or backtested');
    expect(text).toContain('v0009 (queued): it waits for no project: it will not be compiled or backtested');
  });

  it('says the run ends now when nothing is in flight', () => {
    expect(stopMessage('evolve-x', status([]))).toContain('Nothing is in flight; the run ends now.');
  });
});
