import { executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';

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
