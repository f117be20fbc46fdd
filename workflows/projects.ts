import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { RunSettings } from '../domain/run-settings';
import { servicePolicies } from './policies';

/** A QuantConnect project QuantCoder created (it lives in the QuantCoder folder of the account). */
export interface QuantCoderProject {
  projectId: number;
  name: string;
  created: string | null;
  modified: string | null;
}

function quantconnect(settings: RunSettings) {
  return proxyActivities<Activities>(servicePolicies(workflowInfo().taskQueue, settings).quantconnect);
}

/** Lists the QuantConnect projects QuantCoder created, for `quantcoder projects list|prune`. */
export async function listProjectsStep(input: { settings: RunSettings }): Promise<QuantCoderProject[]> {
  return quantconnect(input.settings).listQuantCoderProjects();
}

/** Deletes QuantCoder's QuantConnect projects by id (a project outside QuantCoder's folder is refused). */
export async function deleteProjectsStep(input: { projectIds: number[]; settings: RunSettings }): Promise<{ deleted: number[]; alreadyGone: number[] }> {
  return quantconnect(input.settings).deleteQuantCoderProjects({ projectIds: input.projectIds });
}
