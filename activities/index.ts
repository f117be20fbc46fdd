import { Context } from '@temporalio/activity';
import type { PrismaClient } from '@prisma/client';
import type { Paper } from '../domain/papers';
import { CrossrefClient } from './crossref';
import { withFailureMapping } from './failures';
import { recordSearch } from './learning/searches';

/** Everything activities need from the outside world, built once by the worker (or a test). */
export interface ActivityDeps {
  prisma: PrismaClient;
  crossref: CrossrefClient;
}

function cancellationSignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined; // called outside an activity (direct calls in benchmarks)
  }
}

export function createActivities(deps: ActivityDeps) {
  return withFailureMapping({
    /** Searches CrossRef's `/works` for papers matching the query. */
    async searchCrossref(input: { query: string; rows: number }): Promise<Paper[]> {
      return deps.crossref.searchWorks(input.query, input.rows, cancellationSignal());
    },

    /** Stores a search's papers in the learning database and numbers them from 1. */
    async storeSearchResults(input: { workflowId: string; query: string; source: string; papers: Paper[] }) {
      return recordSearch(deps.prisma, input);
    },
  });
}

export type Activities = ReturnType<typeof createActivities>;
