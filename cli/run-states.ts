/**
 * One vocabulary of run states for every command (`runs list|show|watch`, `library status`,
 * `auto status`, `evolve status`): Temporal's execution status, lower case. A run that continued
 * as new is still running. Evolution runs add their own phases (see {@link RUN_STATES_HELP}).
 */
export const RUN_STATES = ['running', 'completed', 'failed', 'cancelled', 'terminated', 'timed_out'] as const;
export type RunState = (typeof RUN_STATES)[number];

/** The state a command prints for a Temporal execution status (`CANCELLED` → `cancelled`). */
export function runState(execution: string): RunState {
  switch (execution) {
    case 'RUNNING':
    case 'CONTINUED_AS_NEW':
      return 'running';
    case 'COMPLETED':
      return 'completed';
    case 'CANCELLED':
      return 'cancelled';
    case 'TERMINATED':
      return 'terminated';
    case 'TIMED_OUT':
      return 'timed_out';
    default:
      return 'failed';
  }
}

/** The paragraph every status-printing command adds to its `--help`. */
export const RUN_STATES_HELP =
  'Run states, the same in every command and in --json: running, completed, failed, cancelled (`runs cancel`), ' +
  'terminated (ended by the server or an operator), timed_out. An evolution run also reports paused while paused, and ' +
  'stopped once it ended after `evolve stop`.';
