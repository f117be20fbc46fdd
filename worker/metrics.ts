import { Runtime } from '@temporalio/worker';
import type { ActivityMetrics } from '../activities';

/**
 * QuantCoder's own counters, exported beside the SDK's metrics (activity latency and failures per
 * type, schedule-to-start latency, slots in use) by the runtime's Prometheus endpoint.
 */
export function createActivityMetrics(): ActivityMetrics {
  const meter = Runtime.instance().metricMeter;
  const tokens = meter.createCounter('quantcoder_llm_tokens', 'tokens', 'LLM tokens used, by task and direction');
  const backtests = meter.createCounter('quantcoder_backtests', 'backtests', 'QuantConnect backtests created');
  const repairs = meter.createCounter('quantcoder_repairs', 'repairs', 'LLM repairs requested for failing code');
  return {
    llmTokens(task, t) {
      tokens.add(t.input, { task, direction: 'input' });
      tokens.add(t.output, { task, direction: 'output' });
    },
    backtestCreated: () => backtests.add(1),
    repairRequested: () => repairs.add(1),
  };
}
