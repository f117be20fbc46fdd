import { executeChild, proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';

/**
 * Temporal's floor for the overhead figure: workflows that do nothing but run no-op activities in
 * sequence, with and without a child workflow, on the same server and worker settings as
 * QuantCoder's own runs. Whatever these cost per activity, no workflow code can cost less.
 */
export interface FloorActivities {
  noop(): Promise<void>;
}

export interface FloorInput {
  activities: number;
  /** The task queue of the no-op activities (a queue of their own, as each QuantCoder service has). */
  activityQueue: string;
}

export async function floorSequential(input: FloorInput): Promise<void> {
  const { noop } = proxyActivities<FloorActivities>({ taskQueue: input.activityQueue, startToCloseTimeout: '1 minute' });
  for (let i = 0; i < input.activities; i++) await noop();
}

/** The shape of a pipeline: some activities in the parent, then one child workflow per article with the rest. */
export async function floorWithChild(input: FloorInput & { childActivities: number }): Promise<void> {
  const { noop } = proxyActivities<FloorActivities>({ taskQueue: input.activityQueue, startToCloseTimeout: '1 minute' });
  for (let i = 0; i < input.activities; i++) await noop();
  await executeChild(floorSequential, {
    workflowId: `${workflowInfo().workflowId}-article`,
    args: [{ activities: input.childActivities, activityQueue: input.activityQueue }],
  });
}

/** One step of a run: an activity on the activity queue, or a local activity in the workflow's worker. */
export type FloorStep = 'activity' | 'local';

export interface FloorStepsInput {
  steps: FloorStep[];
  activityQueue: string;
}

/** No-op steps in sequence, each an activity or a local activity as given. */
export async function floorSteps(input: FloorStepsInput): Promise<void> {
  const { noop } = proxyActivities<FloorActivities>({ taskQueue: input.activityQueue, startToCloseTimeout: '1 minute' });
  const { noop: local } = proxyLocalActivities<FloorActivities>({ startToCloseTimeout: '1 minute' });
  for (const step of input.steps) await (step === 'local' ? local() : noop());
}

/**
 * Temporal's floor for a run of the same shape as a pipeline: its steps in the same order and of
 * the same kinds (activities and local activities), the parent's in a parent, the rest in a child.
 */
export async function floorSameSteps(input: { parent: FloorStep[]; child: FloorStep[]; activityQueue: string }): Promise<void> {
  await floorSteps({ steps: input.parent, activityQueue: input.activityQueue });
  if (!input.child.length) return;
  await executeChild(floorSteps, {
    workflowId: `${workflowInfo().workflowId}-article`,
    args: [{ steps: input.child, activityQueue: input.activityQueue }],
  });
}
