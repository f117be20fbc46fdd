import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { evolutionInput, runEvolution } from './baseline';
import { EVOLUTION_PARAMETERS } from './evolution-bound';
import type { Execution } from './histories';
import { benchDeps, sandboxConfig } from './homes';
import { openLab, progress } from './lab';

const EventType = temporal.api.enums.v1.EventType;

/**
 * `node dist/bench/evolution-timeline.js [concurrency] [generations] [variants]`: runs one evolution
 * with the evolution figure's sandbox latencies and worker limits, and prints each generation's
 * timeline from its history (ms from the execution's start): every activity's schedule, start and
 * end, and every workflow task, to see where a generation's time goes beyond its bound.
 */
export function timeline(exec: Execution): string[] {
  const t0 = tsToMs(exec.events[0]!.eventTime);
  const ms = (e: (typeof exec.events)[number]) => Math.round(tsToMs(e.eventTime) - t0);
  const names = new Map<string, string>();
  const lines: string[] = [];
  for (const e of exec.events) {
    const id = String(e.eventId);
    const at = String(ms(e)).padStart(6);
    switch (e.eventType) {
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: {
        const a = e.activityTaskScheduledEventAttributes!;
        names.set(id, `${a.activityType?.name}#${a.activityId}`);
        lines.push(`${at} sched ${names.get(id)}`);
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
        lines.push(`${at} start ${names.get(String(e.activityTaskStartedEventAttributes!.scheduledEventId))}`);
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
        lines.push(`${at} done  ${names.get(String(e.activityTaskCompletedEventAttributes!.scheduledEventId))}`);
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
        lines.push(`${at} wft-scheduled`);
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
        lines.push(`${at} wft-started`);
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        lines.push(`${at} wft-completed`);
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
        lines.push(`${at} wft-TIMED-OUT`);
        break;
      default:
        lines.push(`${at} ${EventType[e.eventType ?? 0]}`);
    }
  }
  return lines;
}

async function main(): Promise<void> {
  const [c = 4, generations = 3, variants = 8] = process.argv.slice(2).map(Number);
  const lab = await openLab();
  try {
    lab.resetSandbox(EVOLUTION_PARAMETERS.sandbox);
    const { worker } = EVOLUTION_PARAMETERS;
    const deps = benchDeps(
      sandboxConfig(lab.sandbox.url, { llm: { concurrency: worker.llmConcurrency }, quantconnect: { concurrency: worker.quantconnectConcurrency, pollSeconds: worker.quantconnectPollSeconds } }),
    );
    try {
      const record = await lab.withWorkers(deps, (taskQueue) => runEvolution(lab.client, taskQueue, evolutionInput('timeline', { generations, variants, concurrency: c }), `timeline-c${c}`));
      record.chain.forEach((exec, g) => {
        process.stdout.write(`\n=== generation ${g}: ${exec.closedMs - exec.startedMs} ms, ${exec.events.length} events\n`);
        process.stdout.write(timeline(exec).join('\n') + '\n');
      });
      const gaps = record.chain.slice(1).map((x, i) => x.startedMs - record.chain[i]!.closedMs);
      process.stdout.write(`\ngaps between executions (ms): ${gaps.join(', ')}\n`);
    } finally {
      await deps.cleanup();
    }
  } finally {
    await lab.close();
  }
}

if (require.main === module) {
  main().catch((err) => {
    progress(String(err?.stack ?? err));
    process.exitCode = 1;
  });
}
