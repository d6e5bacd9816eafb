import type { LedgerStore } from '../../src/index.js';
import { sampleCallRecord } from '../../src/testing/index.js';

export const SYNTHETIC_AGENTS = ['planner', 'researcher', 'writer', 'a-very-long-agent-role-name-that-would-clip'];
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-haiku-4-5'];

/**
 * `runs` finished runs of `calls / runs` calls each, spread evenly over the `days` before `end`, round-robin
 * over SYNTHETIC_AGENTS and three models, costs varying by run and agent: a ledger with days of history.
 */
export function fillSyntheticLedger(
  store: LedgerStore,
  options: { calls: number; runs: number; days: number; end: number },
): void {
  const perRun = Math.max(1, Math.floor(options.calls / options.runs));
  const span = options.days * 86_400_000;
  for (let run = 0; run < options.runs; run += 1) {
    const runId = `syn-${String(run).padStart(5, '0')}`;
    const workflow = run % 3 === 0 ? 'triage' : 'research-report';
    const startedAt = options.end - span + Math.floor((run / options.runs) * span);
    const calls = Array.from({ length: perRun }, (_, index) => {
      const agent = SYNTHETIC_AGENTS[index % SYNTHETIC_AGENTS.length] as string;
      return sampleCallRecord({
        id: `${runId}-${index}`,
        ts: startedAt + index * 1_000,
        runId,
        workflow,
        agent,
        scope: `service/${workflow}/${agent}`,
        modelUsed: MODELS[(run + index) % MODELS.length] as string,
        costNanos: 1_000_000 * (1 + (index % SYNTHETIC_AGENTS.length)) + (run % 7) * 100_000,
        tags: { tenant: run % 2 === 0 ? 'acme' : 'globex' },
      });
    });
    store.appendCalls(calls);
    store.appendRuns([
      {
        runId,
        workflow,
        startedAt,
        endedAt: startedAt + perRun * 1_000,
        costNanos: calls.reduce((sum, call) => sum + call.costNanos, 0),
        calls: calls.length,
        outcome: 'ok',
        anomalies: 0,
        budgetNanos: null,
      },
    ]);
  }
}
