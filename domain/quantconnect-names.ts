/**
 * How QuantCoder names what it creates in a QuantConnect account. Every name starts with the
 * QuantCoder folder, so `quantcoder projects` can find (and clean up) what QuantCoder made
 * without touching the user's own projects; and every name carries the identity of what it
 * holds, so a lookup by name can never return another run's or another program's work.
 */

/** QuantConnect shows a `/` in a project name as a folder: everything QuantCoder makes lives in one. */
export const QC_PROJECT_FOLDER = 'QuantCoder';

/**
 * A run's tag in QuantConnect names: its workflow id plus the start of its *first* execution's
 * run id. Continue-as-new keeps the tag (same first execution); a restarted run under the same
 * workflow id gets a new one, so it can never find the earlier run's projects or backtests.
 */
export function qcRunTag(workflowId: string, firstExecutionRunId: string): string {
  return `${workflowId}-${firstExecutionRunId.replace(/-/g, '').slice(0, 8)}`;
}

/** The project `slot` (a pool slot, an article key, a step) of the run tagged `runTag`. */
export function qcProjectName(runTag: string, slot: string): string {
  return `${QC_PROJECT_FOLDER}/${runTag}/${slot}`;
}

/** Whether a project of the account was made by QuantCoder (it lives in the QuantCoder folder). */
export function isQuantCoderProject(name: string): boolean {
  return name.split('/')[0] === QC_PROJECT_FOLDER && name.length > QC_PROJECT_FOLDER.length + 1;
}

/**
 * A backtest's name: what it is for (`label`, e.g. a variant id or an article attempt) and the
 * hash of the exact program it runs. A backtest found under this name in a project therefore ran
 * this program: a repaired program (another hash) never reuses its predecessor's backtest.
 */
export function qcBacktestName(label: string, codeHash: string): string {
  if (!/^[0-9a-f]{12,}$/i.test(codeHash)) throw new Error(`A backtest name needs the program's code hash, got "${codeHash}"`);
  return `${label}-${codeHash.slice(0, 16)}`;
}
