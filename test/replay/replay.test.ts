import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { WORKFLOWS_PATH } from '../../worker/workers';
import { quietRuntime, testWorkflowCode } from '../helpers/temporal';

// bundling the workflow code takes a while on a busy machine
jest.setTimeout(600_000);

const HISTORIES = path.join(__dirname, '..', 'fixtures', 'histories');
/** Each history's workflow id, as recorded: replay needs it, since the ids of child workflows derive from it. */
const WORKFLOW_IDS = JSON.parse(fs.readFileSync(path.join(HISTORIES, 'index.json'), 'utf8')) as Record<string, string>;
const files = Object.keys(WORKFLOW_IDS).sort();
const load = (file: string) => historyFromJSON(JSON.parse(fs.readFileSync(path.join(HISTORIES, file), 'utf8')));
const workflowType = (file: string) => load(file).events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;

/**
 * Guards workflow code against non-deterministic changes: every committed history (recorded by
 * `npm run record-histories`) must replay against today's workflow code. A change that breaks one
 * needs `patched()` or a new workflow version, or — when no run of the old code can still be open —
 * newly recorded histories.
 */
describe('workflow replay', () => {
  let bundle: WorkflowBundleOption;
  beforeAll(async () => {
    quietRuntime();
    // the bundle of today's sources the global setup made (rebuilt whenever a source changed)
    const code = testWorkflowCode();
    bundle = 'workflowBundle' in code ? code.workflowBundle : await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
  });

  it('has a history of every workflow type, and of an evolution run across a continue-as-new', () => {
    expect(fs.readdirSync(HISTORIES).filter((f) => f.endsWith('.json') && f !== 'index.json').sort()).toEqual(files);
    const types = new Set(files.map(workflowType));
    for (const type of ['searchPapers', 'researchPipeline', 'processArticle', 'downloadStep', 'summarizeStep', 'validateStep', 'backtestStep', 'evolutionRun', 'libraryBuild', 'autonomous']) {
      expect([type, types.has(type)]).toEqual([type, true]);
    }
    const evolution = files.filter((f) => workflowType(f) === 'evolutionRun').map(load);
    expect(evolution.length).toBeGreaterThanOrEqual(2);
    expect(evolution.some((h) => h.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes)).toBe(true);
  });

  it.each(files)('replays %s against the current workflow code', async (file) => {
    await expect(Worker.runReplayHistory({ workflowBundle: bundle }, load(file), WORKFLOW_IDS[file])).resolves.toBeUndefined();
  });

  /**
   * Histories recorded by the previous release (`previous/`, copied there before the histories
   * were recorded anew): runs it started may still be open when workers are upgraded, so the
   * changes since go behind `patched()` and these must keep replaying.
   */
  const PREVIOUS = path.join(HISTORIES, 'previous');
  const previousIds = JSON.parse(fs.readFileSync(path.join(PREVIOUS, 'index.json'), 'utf8')) as Record<string, string>;
  it.each(Object.keys(previousIds).sort())('replays the previous release\'s %s against the current workflow code', async (file) => {
    const history = historyFromJSON(JSON.parse(fs.readFileSync(path.join(PREVIOUS, file), 'utf8')));
    await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history, previousIds[file])).resolves.toBeUndefined();
  });

  it('fails to replay an evolution history when the workflow issues its commands in another order', async () => {
    // the same workflow code, except that the run first sets a timer: its commands no longer match the history
    const changed = await bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      logger: quietLogger,
      webpackConfigHook: (config) => {
        config.module?.rules?.push({
          test: /workflows[\\/]evolution\.ts$/,
          enforce: 'pre',
          use: [
            {
              loader: path.join(__dirname, 'variant-loader.js'),
              options: {
                replacements: [
                  { pattern: '^', replacement: "import { sleep as variantSleep } from '@temporalio/workflow';\n" },
                  { pattern: '(export async function evolutionRun\\([^{]*\\{)', replacement: "$1\n  await variantSleep('1 second');" },
                ],
              },
            },
          ],
        });
        return config;
      },
    });
    const first = files.find((f) => workflowType(f) === 'evolutionRun')!;
    await expect(Worker.runReplayHistory({ workflowBundle: changed }, load(first), WORKFLOW_IDS[first])).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});

const quietLogger = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
