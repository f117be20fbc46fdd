import { performance } from 'node:perf_hooks';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities, type Activities } from '../activities';
import type { Paper } from '../domain/papers';
import type { CodeProblem, PipelineInput } from '../domain/pipeline';
import { DEFAULT_RUN_SETTINGS, WORKFLOW_TASK_TIMEOUT } from '../domain/run-settings';
import { researchPipeline } from '../workflows';
import { floorSameSteps, floorSequential, floorWithChild, type FloorStep } from './floor-workflows';
import { fetchTree, stepTimings, taskCounts, type Execution, type TaskCounts } from './histories';
import { benchDeps, sandboxConfig } from './homes';
import { progress, uniqueName, type Lab } from './lab';
import { round, summarize, type Summary } from './stats';

export const OVERHEAD_PARAMETERS = {
  // A run and its floors take about a second on warm workers, and the ratio to the floor moves widely
  // from run to run (1.00–1.61 in one hour, for the same code): the medians of seven runs, the count
  // before, came to 1.13, 1.21, 1.33 and 1.46 in four runs of that hour. Twenty-one narrow it.
  runs: 21,
  warmupRuns: 1,
  sandbox: { llmLatencyMs: 0, compileLatencyMs: 0, backtestLatencyMs: 0, mistakeRate: 0 },
  pipeline: { query: 'momentum', articles: 1, source: 'crossref', backtest: true, maxAttempts: 6 },
  quantconnectPollSeconds: 0.05,
  workers:
    'in-process production worker set (createWorkerSet) on one home, started once for the warm-up and the runs that follow it, as a `quantcoder worker` runs one pipeline after another; the floor\'s workers likewise',
  formula:
    'overheadPerActivityMs = (parent wall time − Σ over parent and child histories of each step\'s time inside it) / steps, where a step is an activity (inside: ActivityTaskCompleted − ActivityTaskStarted) or a local activity (inside: its run time, from its marker: completion time − the start of the workflow task that ran it); directCallPerStepMs = wall time of the same activity functions called in sequence in-process / steps',
  floor:
    'after each pipeline run, on the same server: floorSequential runs as many no-op activities (as the run had steps, local activities included) in one workflow; floorWithChild runs the parent\'s count in a parent and the rest in one child workflow. Both use a workflow queue and an activity queue of their own in this process, and their per-activity overhead is computed with the same formula; overheadOverFloor = overheadPerActivityMs / floorPerActivityMs of the same iteration. floorSameSteps runs the run\'s own steps in their order and of their kinds (activities and local activities), the parent\'s in a parent and the rest in a child: Temporal\'s share of a run of this shape, so overheadOverSameStepsFloor is what the workflow code adds',
} as const;

export interface OverheadFigures {
  overheadPerActivityMs: Summary;
  directCallPerStepMs: Summary;
  /** Context: the workflow's wall time per activity, and the time inside activities per activity. */
  workflowWallPerActivityMs: Summary;
  insideActivityPerActivityMs: Summary;
  /** Steps per run: activities and local activities. */
  activitiesPerRun: number[];
  /** Of those, the local activities (steps run inside a workflow task, with no server round trip). */
  localActivitiesPerRun?: number[];
  /** Workflow tasks completed per run, in the parent and in its article (from the histories). */
  workflowTasksPerRun: Array<{ parent: number; child: number }>;
  /** Signals the article sent its parent per run. */
  signalsPerRun: number[];
  /** Workflow tasks of the floor with a child per run, in the parent and in the child. */
  floorWithChildWorkflowTasksPerRun: Array<{ parent: number; child: number }>;
  directStepsPerRun: number[];
  /** Activity attempts beyond the first (retries would be counted as overhead). */
  retriedActivities: number;
  /** Temporal's floor: the same number of no-op activities in sequence in one workflow, per activity. */
  floorPerActivityMs: Summary;
  /** The same, with the pipeline's shape: the parent's activities, then a child workflow with the rest. */
  floorWithChildPerActivityMs: Summary;
  /** The run's own steps, in order and of the same kinds, as no-ops in a parent and a child, per step. */
  floorSameStepsPerActivityMs?: Summary;
  /** Ours over each floor, paired per iteration. */
  overheadOverFloor: Summary;
  overheadOverChildFloor: Summary;
  overheadOverSameStepsFloor?: Summary;
}

/** An execution's steps in the order they ran, each an activity or a local activity. */
function stepKinds(exec: Execution): FloorStep[] {
  // stable: local activities of one workflow task keep their marker order
  return stepTimings(exec)
    .sort((a, b) => a.scheduledMs - b.scheduledMs)
    .map((t) => t.kind);
}

/** As in `researchPipeline`: a candidate without a readable PDF is passed over for the next one. */
const UNREADABLE = new Set(['NoOpenAccessError', 'NotAPdfError', 'CorruptPdfError', 'PdfTooLargeError', 'RedirectLoopError']);

function pipelineInput(): PipelineInput {
  const p = OVERHEAD_PARAMETERS.pipeline;
  return { target: { kind: 'topic', query: p.query }, articles: p.articles, source: p.source, backtest: p.backtest, localOnly: false, maxAttempts: p.maxAttempts, settings: DEFAULT_RUN_SETTINGS };
}

/** One pipeline run through Temporal, on workers already polling: wall time, time inside activities, and how many there were. */
async function throughTemporal(
  lab: Lab,
  taskQueue: string,
): Promise<{
  wallMs: number;
  insideMs: number;
  activities: number;
  localActivities: number;
  parentActivities: number;
  shape: { parent: FloorStep[]; child: FloorStep[] };
  retried: number;
  tasks: { parent: TaskCounts; child: TaskCounts };
}> {
  const workflowId = uniqueName('bench-overhead');
  const result = await lab.client.workflow.execute(researchPipeline, { taskQueue, workflowId, args: [pipelineInput()], workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT });
  const article = result.articles[0];
  if (!article || article.stage !== 'done') throw new Error(`The pipeline did not finish its article: ${article?.error ?? 'no article'}`);
  const tree = await fetchTree(lab.client, workflowId);
  const root = tree[0]!;
  const timings = tree.flatMap(stepTimings);
  const insideMs = timings.reduce((s, t) => s + (t.closedMs - t.startedMs), 0);
  return {
    wallMs: root.closedMs - root.startedMs,
    insideMs,
    activities: timings.length,
    localActivities: timings.filter((t) => t.kind === 'local').length,
    parentActivities: stepTimings(root).length,
    shape: { parent: stepKinds(root), child: tree.slice(1).flatMap(stepKinds) },
    retried: timings.filter((t) => t.attempt > 1).length,
    tasks: { parent: taskCounts(root), child: sumCounts(tree.slice(1).map(taskCounts)) },
  };
}

function sumCounts(counts: TaskCounts[]): TaskCounts {
  return counts.reduce(
    (a, c) => ({ workflowTasks: a.workflowTasks + c.workflowTasks, signalsSent: a.signalsSent + c.signalsSent, signalsReceived: a.signalsReceived + c.signalsReceived }),
    { workflowTasks: 0, signalsSent: 0, signalsReceived: 0 },
  );
}

/**
 * Temporal's floor for `activities` no-op steps: activities all in one workflow, or split between a
 * parent and a child (`split`: the parent's count), or the run's own steps of each kind (`split`: its shape).
 */
async function floorRun(
  lab: Lab,
  { taskQueue, activityQueue }: { taskQueue: string; activityQueue: string },
  activities: number,
  split?: number | { parent: FloorStep[]; child: FloorStep[] },
): Promise<{ perActivityMs: number; activities: number; tasks: { parent: number; child: number } }> {
  const workflowId = uniqueName('bench-floor');
  await (split === undefined
    ? lab.client.workflow.execute(floorSequential, { taskQueue, workflowId, args: [{ activities, activityQueue }] })
    : typeof split === 'number'
      ? lab.client.workflow.execute(floorWithChild, { taskQueue, workflowId, args: [{ activities: split, childActivities: activities - split, activityQueue }] })
      : lab.client.workflow.execute(floorSameSteps, { taskQueue, workflowId, args: [{ ...split, activityQueue }] }));
  const tree = await fetchTree(lab.client, workflowId);
  const root = tree[0]!;
  const timings = tree.flatMap(stepTimings);
  if (timings.length !== activities) throw new Error(`The floor workflow ran ${timings.length} steps, not ${activities}`);
  const insideMs = timings.reduce((s, t) => s + (t.closedMs - t.startedMs), 0);
  const tasks = { parent: taskCounts(root).workflowTasks, child: sumCounts(tree.slice(1).map(taskCounts)).workflowTasks };
  return { perActivityMs: (root.closedMs - root.startedMs - insideMs) / activities, activities, tasks };
}

/**
 * The same steps as `researchPipeline` + `processArticle` for one article, as plain function calls
 * on the activity object the worker would run: what the work costs with no orchestration at all.
 */
async function directly(acts: Activities, input: PipelineInput, runId: string): Promise<number> {
  let steps = 0;
  const step = <T>(p: Promise<T>) => {
    steps++;
    return p;
  };
  if (input.target.kind !== 'topic') throw new Error('The direct pipeline handles topic searches only');
  const query = input.target.query;
  const papers = await step(acts.searchCrossref({ query, rows: Math.min(input.articles * 3 + 2, 25) }));
  await step(acts.storeSearchResults({ workflowId: runId, query, source: input.source, papers }));
  for (const paper of papers) {
    const pdf = await step(acts.downloadPaper({ paper })).catch((err: unknown) => {
      if (err instanceof ApplicationFailure && err.type && UNREADABLE.has(err.type)) return null;
      throw err;
    });
    if (!pdf) continue;
    await processDirectly(acts, input, runId, paper, pdf.path, step);
    return steps;
  }
  throw new Error('No candidate paper could be read');
}

async function processDirectly(acts: Activities, input: PipelineInput, runId: string, paper: Paper, pdfPath: string, step: <T>(p: Promise<T>) => Promise<T>): Promise<void> {
  const articleKey = 'a1';
  const text = await step(acts.extractPaperText({ pdfPath, paper }));
  const summary = await step(acts.summarizePaper({ runId, articleKey, paper, textSha256: text.textSha256 }));
  const family = summary.spec.family;
  const learned = await step(acts.readLearnedContext({ family }));
  const generated = await step(acts.generateAlgorithm({ runId, articleKey, spec: summary.spec, start: input.start, end: input.end, learned }));
  let code = generated.code;
  let previous: { code: string; problem: CodeProblem } | null = null;
  let statistics = null;
  for (let attempt = 1; ; attempt++) {
    const check = await step(acts.checkAlgorithm({ code, start: input.start, end: input.end }));
    code = check.code;
    let problem = check.problem;
    let compiledNow = false;
    if (!problem) {
      const compiled = await step(acts.compileAlgorithm({ project: { projectName: `${runId}-${articleKey}` }, code }));
      if (compiled.compiled) {
        compiledNow = true;
        const bt = await step(acts.runBacktest({ projectId: compiled.projectId, compileId: compiled.compileId, label: `${runId}-${articleKey}-attempt-${attempt}`, codeHash: check.codeHash }));
        if (bt.kind === 'runtimeError') problem = { kind: 'runtime', message: bt.error };
        else {
          statistics = bt.statistics;
          await step(acts.recordBacktest({ runId, codeHash: check.codeHash, family, backtestId: bt.backtestId, projectId: compiled.projectId, start: input.start, end: input.end, statistics: bt.statistics, rawStatistics: bt.rawStatistics }));
        }
      } else problem = { kind: 'compile', message: compiled.logs.join('\n') };
    }
    await step(acts.recordAttempt({ runId, articleKey, attempt, code, codeHash: check.codeHash, family, provider: generated.provider, model: generated.model, compiled: !problem && compiledNow, problem, previous }));
    if (!problem) break;
    if (attempt >= input.maxAttempts) throw new Error(`No working algorithm after ${attempt} attempts: ${problem.message}`);
    const fixes = await step(acts.readLearnedContext({ family, problem }));
    const repaired = await step(acts.repairAlgorithm({ runId, articleKey, attempt, code, problem, family, learned: fixes }));
    previous = { code, problem };
    code = repaired.code;
  }
  await step(acts.writeAlgorithmFile({ runId, articleKey, code, paper, statistics }));
}

async function directRun(lab: Lab): Promise<{ wallMs: number; steps: number }> {
  const deps = benchDeps(sandboxConfig(lab.sandbox.url));
  try {
    const acts = createActivities(deps);
    const started = performance.now();
    const steps = await directly(acts, pipelineInput(), uniqueName('bench-direct'));
    return { wallMs: performance.now() - started, steps };
  } finally {
    await deps.cleanup();
  }
}

export async function measureOverhead(lab: Lab): Promise<OverheadFigures> {
  lab.resetSandbox(OVERHEAD_PARAMETERS.sandbox);
  const { runs, warmupRuns } = OVERHEAD_PARAMETERS;
  const overhead: number[] = [];
  const direct: number[] = [];
  const wallPer: number[] = [];
  const insidePer: number[] = [];
  const activitiesPerRun: number[] = [];
  const localActivitiesPerRun: number[] = [];
  const workflowTasksPerRun: OverheadFigures['workflowTasksPerRun'] = [];
  const signalsPerRun: number[] = [];
  const floorWithChildWorkflowTasksPerRun: OverheadFigures['floorWithChildWorkflowTasksPerRun'] = [];
  const directStepsPerRun: number[] = [];
  const floor: number[] = [];
  const childFloor: number[] = [];
  const overFloor: number[] = [];
  const overChildFloor: number[] = [];
  const sameStepsFloor: number[] = [];
  const overSameStepsFloor: number[] = [];
  let retriedActivities = 0;
  // a worker's first workflows run in a workflow isolate whose code is not yet compiled (each workflow
  // task then takes 8–18 ms against 2–4 once warm): the warm-up run warms the workers every run uses
  const deps = benchDeps(sandboxConfig(lab.sandbox.url));
  const workers = await lab.startWorkers(deps);
  const floorWorkers = await lab.startFloorWorkers();
  try {
    for (let i = 0; i < warmupRuns + runs; i++) {
      const warm = i < warmupRuns;
      const t = await throughTemporal(lab, workers.taskQueue);
      const f = await floorRun(lab, floorWorkers, t.activities);
      const fc = await floorRun(lab, floorWorkers, t.activities, t.parentActivities);
      const fs = await floorRun(lab, floorWorkers, t.activities, t.shape);
      const d = await directRun(lab);
      const ours = (t.wallMs - t.insideMs) / t.activities;
      const label = warm ? 'warm-up' : `run ${i - warmupRuns + 1}/${runs}`;
      progress(
        `overhead ${label}: workflow ${Math.round(t.wallMs)} ms for ${t.activities} steps (${t.localActivities} local activities; ${Math.round(t.insideMs)} ms inside) → ${round(ours, 1)} ms/activity; ` +
          `floor ${round(f.perActivityMs, 1)} ms/activity (with a child: ${round(fc.perActivityMs, 1)}; the same steps: ${round(fs.perActivityMs, 1)}); direct ${Math.round(d.wallMs)} ms for ${d.steps} steps; ` +
          `workflow tasks parent ${t.tasks.parent.workflowTasks} + article ${t.tasks.child.workflowTasks}, ${t.tasks.child.signalsSent} stage signals ` +
          `(floor with a child: ${fc.tasks.parent} + ${fc.tasks.child})`,
      );
      if (warm) continue;
      overhead.push(ours);
      floor.push(f.perActivityMs);
      childFloor.push(fc.perActivityMs);
      overFloor.push(ours / f.perActivityMs);
      overChildFloor.push(ours / fc.perActivityMs);
      sameStepsFloor.push(fs.perActivityMs);
      overSameStepsFloor.push(ours / fs.perActivityMs);
      direct.push(d.wallMs / d.steps);
      wallPer.push(t.wallMs / t.activities);
      insidePer.push(t.insideMs / t.activities);
      activitiesPerRun.push(t.activities);
      localActivitiesPerRun.push(t.localActivities);
      workflowTasksPerRun.push({ parent: t.tasks.parent.workflowTasks, child: t.tasks.child.workflowTasks });
      signalsPerRun.push(t.tasks.child.signalsSent);
      floorWithChildWorkflowTasksPerRun.push(fc.tasks);
      directStepsPerRun.push(d.steps);
      retriedActivities += t.retried;
    }
  } finally {
    await Promise.all([workers.stop(), floorWorkers.stop()]);
    await deps.cleanup();
  }
  return {
    overheadPerActivityMs: summarize(overhead, 2),
    directCallPerStepMs: summarize(direct, 2),
    workflowWallPerActivityMs: summarize(wallPer, 2),
    insideActivityPerActivityMs: summarize(insidePer, 2),
    activitiesPerRun,
    localActivitiesPerRun,
    workflowTasksPerRun,
    signalsPerRun,
    floorWithChildWorkflowTasksPerRun,
    directStepsPerRun,
    retriedActivities,
    floorPerActivityMs: summarize(floor, 2),
    floorWithChildPerActivityMs: summarize(childFloor, 2),
    overheadOverFloor: summarize(overFloor, 2),
    overheadOverChildFloor: summarize(overChildFloor, 2),
    floorSameStepsPerActivityMs: summarize(sameStepsFloor, 2),
    overheadOverSameStepsFloor: summarize(overSameStepsFloor, 2),
  };
}
