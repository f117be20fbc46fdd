import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { testWorkflowCode } from '../helpers/temporal';

const HISTORIES = path.join(__dirname, '..', 'fixtures', 'histories');

/**
 * Guards workflow code against non-deterministic changes: every committed history must replay
 * against today's workflow code. A change that breaks one needs a patch (`patched()`) or a new version.
 */
describe('workflow replay', () => {
  const files = fs.readdirSync(HISTORIES).filter((f) => f.endsWith('.json'));

  it('has committed histories to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('replays %s against the current workflow code', async (file) => {
    const history = historyFromJSON(JSON.parse(fs.readFileSync(path.join(HISTORIES, file), 'utf8')));
    await expect(Worker.runReplayHistory(testWorkflowCode(), history)).resolves.toBeUndefined();
  });
});
