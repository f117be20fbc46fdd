/**
 * Task queues. Workflows and local activities (learning database, artifacts, code checks) run on
 * the base queue; each rate-limited external service has its own activity queue so its concurrency
 * and rate limits hold across every worker of a cluster.
 */
export function taskQueues(base: string) {
  return {
    workflows: base,
    crossref: `${base}-crossref`,
    arxiv: `${base}-arxiv`,
    download: `${base}-download`,
    llm: `${base}-llm`,
    quantconnect: `${base}-quantconnect`,
    backtest: `${base}-backtest`,
  } as const;
}

export type TaskQueues = ReturnType<typeof taskQueues>;
