import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isBudgetExceededError } from '../../errors/budget-exceeded-error.js';
import { isKillSwitchError } from '../../errors/kill-switch-error.js';
import { type CallCounts, describeCalls, noCalls } from '../../ledger/count-calls.js';
import { formatReport, formatUsd } from '../../reports/format-report.js';
import { summarizeSpend } from '../../reports/summarize-spend.js';
import { startMockProvider } from '../../testing/mock-llm-server.js';
import { sampleAttachments } from '../../testing/sample-attachments.js';
import { type RunHandle, TokenFence } from '../../token-fence.js';
import { type CliIo, UsageError } from '../cli-io.js';

export const DEMO_HELP = `Usage: tokenfence demo [options]

The seed's multi-agent workflow, offline: a planner (15 %), a fan-out of researchers with a paid web-search
tool (50 %), a writer that sends PDFs (25 %) and a reviewer (10 %) of a workflow budget, run several times
against the bundled mock provider — no key, no network — including a runaway researcher that the kill switch
stops and an appendix PDF too large for the writer's budget, held back before it is sent. Needs the openai
and @anthropic-ai/sdk packages.

Options:
  --store <store>      where to record (default: sqlite:./tokenfence-demo.db, recreated)
  --help               this text
`;

/** The few SDK calls the demo makes, typed without importing the SDKs. */
interface ChatClient {
  chat: { completions: { create(params: Record<string, unknown>): Promise<unknown> } };
}
interface MessagesClient {
  messages: { create(params: Record<string, unknown>): Promise<unknown> };
}
type SdkConstructor<T> = new (options: Record<string, unknown>) => T;

async function loadSdks(): Promise<{ OpenAI: SdkConstructor<ChatClient>; Anthropic: SdkConstructor<MessagesClient> }> {
  const openai = (await import('openai' as string)) as { default: SdkConstructor<ChatClient> };
  const anthropic = (await import('@anthropic-ai/sdk' as string)) as { default: SdkConstructor<MessagesClient> };
  return { OpenAI: openai.default, Anthropic: anthropic.default };
}

const ask = (content: string) => [{ role: 'user', content }];
/** A question with a PDF of `pages` pages attached (a generated document, sized by its page count). */
const askWithPdf = (content: string, pages: number) => [
  {
    role: 'user',
    content: [
      {
        type: 'document',
        source: {
          type: 'base64',
          media_type: 'application/pdf',
          data: Buffer.from(sampleAttachments.pdf(pages)).toString('base64'),
        },
      },
      { type: 'text', text: content },
    ],
  },
];
/** Anthropic's server-side web search, billed $10 per 1,000 searches on top of the tokens. */
const WEB_SEARCH = [{ type: 'web_search_20250305', name: 'web_search', max_uses: 2 }];
const usd = (value: number) => (Number.isFinite(value) ? `$${value.toFixed(4)}` : '—');

async function drain(stream: unknown): Promise<void> {
  for await (const _chunk of stream as AsyncIterable<unknown>) {
    // a real agent would read the findings here
  }
}

export async function demoCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { store: { type: 'string' }, help: { type: 'boolean' } },
    strict: true,
  });
  if (values.help) {
    io.stdout(DEMO_HELP);
    return 0;
  }
  const store = values.store ?? 'sqlite:./tokenfence-demo.db';
  if (!store.startsWith('sqlite:') && store !== 'memory') throw new UsageError('--store takes sqlite:<path> or memory');
  let sdks: Awaited<ReturnType<typeof loadSdks>>;
  try {
    sdks = await loadSdks();
  } catch {
    io.stderr('The demo drives the real SDKs: npm install openai @anthropic-ai/sdk\n');
    return 1;
  }
  if (values.store === undefined) rmSync('./tokenfence-demo.db', { force: true });
  for (const suffix of values.store === undefined ? ['-wal', '-shm'] : [])
    rmSync(`./tokenfence-demo.db${suffix}`, { force: true });

  const mock = await startMockProvider();
  // A provider that writes about 70 % of the allowed output and streams in small chunks.
  // A researcher's searches come back as billed server-tool uses, and their results as input tokens.
  mock.setScenario((request) => {
    const body = request.body as Record<string, number | undefined>;
    const cap = body.max_completion_tokens ?? body.max_tokens ?? body.max_output_tokens ?? 1_000;
    const searched = Array.isArray(request.body.tools);
    return {
      inputTokens: searched ? 6_000 : 1_200,
      outputTokens: Math.round(cap * 0.7),
      chunks: 8,
      chunkDelayMs: 2,
      ...(searched && { usageFields: { server_tool_use: { web_search_requests: 2 } } }),
    };
  });
  const fence = new TokenFence({ label: 'demo', store: store as `sqlite:${string}` });
  const notes: string[] = [];
  fence.on('*', (event) => {
    if (event.type === 'model-downgraded')
      notes.push(`  ↓ downgrade  ${event.label}: ${event.from} → ${event.to} (${event.reason})`);
    if (event.type === 'budget-exceeded')
      notes.push(
        `  ✋ blocked    ${event.label}: ${event.model} needed $${event.requestedUsd.toFixed(4)} (budget "${event.deniedBy}")`,
      );
    if (event.type === 'fence-killed')
      notes.push(`  ✖ killed     ${event.label}: ${event.reason} (${event.abortedCalls} in-flight call(s) aborted)`);
  });
  const openai = fence.guard(
    new sdks.OpenAI({ apiKey: 'sk-demo-not-a-real-key', baseURL: `${mock.url}/v1`, maxRetries: 0 }),
    {
      label: 'openai',
      fallback: 'gpt-4o-mini',
      onLimit: 'throw',
    },
  );
  const anthropic = fence.guard(
    new sdks.Anthropic({ apiKey: 'sk-demo-not-a-real-key', baseURL: mock.url, maxRetries: 0 }),
    {
      label: 'anthropic',
      fallback: 'claude-haiku-4-5',
      onLimit: 'throw',
    },
  );
  const expected = (error: unknown) => {
    if (!isBudgetExceededError(error) && !isKillSwitchError(error)) throw error;
  };

  const runWorkflow = (budget: number, topics: string[], { runaway = false, withAppendix = false } = {}) =>
    fence.run({ workflow: 'research-report', budget }, async (run) => {
      await fence.agent('planner', { share: 0.15 }, () =>
        openai.chat.completions
          .create({ model: 'gpt-4o', messages: ask(`Plan: ${topics.join(', ')}`), max_tokens: 800 })
          .catch(expected),
      );
      const research = topics.map((topic) =>
        fence.agent('researcher', { share: 0.5 }, async () => {
          await drain(
            await anthropic.messages.create({
              model: 'claude-sonnet-4-6',
              messages: ask(`Research ${topic} on the web`),
              max_tokens: 1_500,
              tools: WEB_SEARCH,
              stream: true,
            }),
          );
        }),
      );
      if (runaway) research.push(runawayResearcher(run));
      await Promise.all(research.map((task) => task.catch(expected)));
      await fence.agent('writer', { share: 0.25 }, async () => {
        await anthropic.messages
          .create({
            model: 'claude-sonnet-4-6',
            max_tokens: 2_000,
            messages: askWithPdf('Write the report from these notes', 4),
          })
          .catch(expected);
        // The 300-page appendix would cost more than the writer has left: refused before it is sent.
        if (withAppendix) {
          await anthropic.messages
            .create({
              model: 'claude-sonnet-4-6',
              max_tokens: 2_000,
              messages: askWithPdf('Check the report against the appendix', 300),
            })
            .catch(expected);
        }
      });
      await fence.agent('reviewer', { share: 0.1 }, () =>
        anthropic.messages
          .create({ model: 'claude-haiku-4-5', max_tokens: 600, messages: ask('Review it') })
          .catch(expected),
      );
      return run;
    });

  // Two researchers stuck in a loop ask the same question again and again; a watchdog on the run's
  // events kills the whole run after six researcher calls, aborting what is still in flight.
  const runawayResearcher = (run: RunHandle) => {
    let calls = 0;
    run.on('call-settled', (event) => {
      calls += event.label === 'researcher' ? 1 : 0;
      if (calls === 6) run.kill('runaway: 6 researcher calls on the same question');
    });
    const loop = () =>
      fence.agent('researcher', async () => {
        for (;;) {
          await drain(
            await openai.chat.completions.create({
              model: 'gpt-4o',
              messages: ask('Research it again'),
              max_tokens: 1_500,
              stream: true,
            }),
          );
        }
      });
    return Promise.all([loop().catch(expected), loop()]).then(() => undefined);
  };

  const runs = [
    ['normal', await runWorkflow(1.0, ['pricing', 'competitors', 'risks'], { withAppendix: true })],
    ['tight budget', await runWorkflow(0.3, ['pricing', 'competitors', 'risks', 'hiring', 'regulation', 'partners'])],
    ['runaway researcher', await runWorkflow(1.0, ['pricing'], { runaway: true })],
  ] as const;
  fence.flush();
  const workflowReport = formatReport(summarizeSpend(fence.store, { by: 'workflow' }), 'table');
  /** Each agent's calls (sent / blocked / killed), token cost and fees in a run, from the ledger. */
  const costsOf = (runId: string) => {
    const report = summarizeSpend(fence.store, { by: 'agent', runId });
    const agents = new Map<string, CallCounts & { tokens: string; fees: string }>();
    if (report.by !== 'agent') return { total: report.total, agents };
    for (const row of report.rows) {
      agents.set(row.agent, {
        ...row,
        tokens: formatUsd(row.costNanos - row.feeNanos, 4),
        fees: formatUsd(row.feeNanos, 4),
      });
    }
    return { total: report.total, agents };
  };
  const runCosts = new Map(runs.map(([, run]) => [run.id, costsOf(run.id)] as const));
  await fence.close();
  await mock.close();

  for (const [title, run] of runs) {
    const costs = runCosts.get(run.id);
    io.stdout(
      `\nresearch-report · ${title}  (run ${run.id.slice(0, 8)}, budget ${usd(run.budget)}, spent ${usd(run.spent)} in ${costs ? describeCalls(costs.total) : `${run.calls} calls`})\n`,
    );
    io.stdout(
      `  ${'agent'.padEnd(12)}${'sent'.padStart(6)}${'blocked'.padStart(9)}${'killed'.padStart(8)}${'tokens'.padStart(11)}${'fees'.padStart(10)}${'spent'.padStart(11)}\n`,
    );
    for (const [agent, spend] of Object.entries(run.byAgent())) {
      const row = costs?.agents.get(agent) ?? { ...noCalls(), tokens: usd(0), fees: usd(0) };
      io.stdout(
        `  ${agent.padEnd(12)}${String(row.sentCalls).padStart(6)}${String(row.blockedCalls).padStart(9)}${String(row.killedCalls).padStart(8)}${row.tokens.padStart(11)}${row.fees.padStart(10)}${usd(spend.spent).padStart(11)} of ${usd(spend.budget)}\n`,
      );
    }
    if (run.spent > run.budget) throw new Error(`overspent: ${run.spent} > ${run.budget}`);
  }
  io.stdout(`\n${notes.join('\n')}\n\nPer workflow, from the ledger:\n${workflowReport}`);
  io.stdout(`\nNo run and no agent went over its budget. Try:\n`);
  for (const command of [
    `report --store ${store} --by agent`,
    `report --store ${store} --by model --format md`,
    `runs --store ${store} --top 3`,
    `tail --store ${store} --since 1h --limit 10`,
  ]) {
    io.stdout(`  npx tokenfence ${command}\n`);
  }
  return 0;
}
