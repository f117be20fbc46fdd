import { startSandbox, type SandboxConfig } from '../../sandbox';

export type SandboxHandle = Awaited<ReturnType<typeof startSandbox>>;

/** A sandbox on a free port with fast, test-friendly latencies. */
export async function testSandbox(config: Partial<SandboxConfig> = {}): Promise<SandboxHandle> {
  return startSandbox({ port: 0, config: { compileLatencyMs: 50, backtestLatencyMs: 200, llmLatencyMs: 0, ...config } });
}

/** Injects a fault through the sandbox's control API, exactly as an operator would. */
export async function injectFault(url: string, fault: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${url}/__sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fault) });
  if (!res.ok) throw new Error(`fault rejected: ${res.status} ${await res.text()}`);
}

export async function sandboxStats(url: string): Promise<{
  requests: Record<string, number>;
  faults: { applied: number; byKind: Record<string, number> };
  quantconnect: {
    projectsCreated: number;
    filesWritten: number;
    compilesCreated: number;
    buildErrors: number;
    backtestsCreated: number;
    uniqueCodeHashesBacktested: number;
    runningBacktestsHighWater: number;
    backtestsRefusedNoNode: number;
  };
  llm: { calls: number; inputTokens: number; outputTokens: number; mistakes: number; repeatedRequests: number; byTask: Record<string, { calls: number }> };
}> {
  const res = await fetch(`${url}/__sandbox/stats`);
  return (await res.json()) as never;
}
