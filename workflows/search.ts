import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { NumberedResult } from '../domain/papers';
import { servicePolicies } from './policies';

export interface SearchInput {
  query: string;
  maxResults: number;
  source: 'crossref';
}

export interface SearchOutput {
  searchId: number;
  query: string;
  results: NumberedResult[];
}

/** Searches for papers, stores them in the learning database and numbers them for later commands. */
export async function searchPapers(input: SearchInput): Promise<SearchOutput> {
  const info = workflowInfo();
  const policies = servicePolicies(info.taskQueue);
  const crossref = proxyActivities<Activities>(policies.crossref);
  const learning = proxyActivities<Activities>(policies.local);

  const papers = await crossref.searchCrossref({ query: input.query, rows: input.maxResults });
  const stored = await learning.storeSearchResults({ workflowId: info.workflowId, query: input.query, source: input.source, papers });
  return { searchId: stored.searchId, query: input.query, results: stored.results };
}
