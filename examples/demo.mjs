// The seed's orchestrator, offline: a workflow budget split between a planner (15 %), a fan-out of
// researchers (50 %), a writer (25 %) and a reviewer (10 %), run several times against the bundled mock
// provider (no key, no network), including a runaway researcher that the kill switch stops.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { isBudgetExceededError, isKillSwitchError, TokenFence } from 'tokenfence';
import { startMockProvider } from 'tokenfence/testing';

const mock = await startMockProvider();
// A provider that writes about 70 % of the allowed output and streams in small chunks.
mock.setScenario((request) => {
  const cap = request.body.max_completion_tokens ?? request.body.max_tokens ?? request.body.max_output_tokens ?? 1_000;
  return { inputTokens: 1_200, outputTokens: Math.round(cap * 0.7), chunks: 8, chunkDelayMs: 3 };
});
const openai = new OpenAI({ apiKey: 'sk-demo-not-a-real-key', baseURL: `${mock.url}/v1`, maxRetries: 0 });
const anthropic = new Anthropic({ apiKey: 'sk-demo-not-a-real-key', baseURL: mock.url, maxRetries: 0 });
const ask = (content) => [{ role: 'user', content }];

async function runWorkflow({ name, budget, topics, runaway = false }) {
  const run = new TokenFence({ budget, label: name, onLimit: 'throw' });
  const notes = { downgrades: [], blocks: [], kills: [], models: new Map() };
  run.on('*', (event) => {
    if (event.type === 'model-downgraded')
      notes.downgrades.push(`${event.label}: ${event.from} → ${event.to} (${event.reason})`);
    if (event.type === 'budget-exceeded')
      notes.blocks.push(
        `${event.label}: ${event.model} needed $${event.requestedUsd.toFixed(4)}, budget "${event.deniedBy}"`,
      );
    if (event.type === 'fence-killed')
      notes.kills.push(`${event.label}: ${event.reason} (${event.abortedCalls} in-flight call(s) aborted)`);
    if (event.type === 'call-settled') {
      const models = notes.models.get(event.label) ?? new Set();
      notes.models.set(event.label, models.add(event.modelUsed));
    }
  });
  const planner = run.guard(openai, { label: 'planner', share: 0.15 });
  const researcher = run.guard(openai, { label: 'researcher', share: 0.5, fallback: 'gpt-4o-mini' });
  const writer = run.guard(anthropic, { label: 'writer', share: 0.25, fallback: 'claude-haiku-4-5' });
  const reviewer = run.guard(anthropic, { label: 'reviewer', share: 0.1 });
  const agents = { planner, researcher, writer, reviewer };
  const swallow = (error) => {
    if (!isBudgetExceededError(error) && !isKillSwitchError(error)) throw error;
  };

  await planner.chat.completions
    .create({ model: 'gpt-4o', messages: ask(`Plan a report on ${topics.join(', ')}`), max_tokens: 800 })
    .catch(swallow);
  const research = topics.map(async (topic) => {
    const stream = await researcher.chat.completions.create({
      model: 'gpt-4o',
      messages: ask(`Research ${topic}`),
      max_tokens: 1_500,
      stream: true,
    });
    for await (const _chunk of stream) {
      // a real agent would read the findings here
    }
  });
  if (runaway) {
    // A researcher stuck in a loop keeps asking the same question; a watchdog on the run's events
    // kills the whole workflow once it has seen too many researcher calls.
    let researcherCalls = 0;
    run.on('call-settled', (event) => {
      researcherCalls += event.label === 'researcher' ? 1 : 0;
      if (researcherCalls === 6) run.kill('runaway researcher: 6 calls on the same question');
    });
    research.push(
      (async () => {
        for (;;) {
          const stream = await researcher.chat.completions.create({
            model: 'gpt-4o',
            messages: ask('Research it again'),
            max_tokens: 1_500,
            stream: true,
          });
          for await (const _chunk of stream) {
            // the loop never learns anything new
          }
        }
      })(),
    );
  }
  await Promise.all(research.map((task) => task.catch(swallow)));
  await writer.messages
    .create({ model: 'claude-sonnet-4-6', max_tokens: 2_000, messages: ask('Write the report') })
    .catch(swallow);
  await reviewer.messages
    .create({ model: 'claude-haiku-4-5', max_tokens: 600, messages: ask('Review the report') })
    .catch(swallow);
  return { name, run, agents, notes };
}

const usd = (value) => (Number.isFinite(value) ? `$${value.toFixed(4)}` : '—');
const percent = (spent, budget) =>
  Number.isFinite(budget) && budget > 0 ? `${Math.round((spent / budget) * 100)}%` : '—';

function printRun({ name, run, agents, notes }) {
  console.log(`\n${name}  (workflow budget ${usd(run.budget)})`);
  console.log(
    `  ${'Agent'.padEnd(12)}${'Models used'.padEnd(32)}${'Calls'.padStart(6)}${'Spent'.padStart(11)}${'Budget'.padStart(11)}${'Used'.padStart(7)}`,
  );
  for (const [label, client] of Object.entries(agents)) {
    const view = client.tokenfence;
    const models = [...(notes.models.get(label) ?? [])].join(', ') || '—';
    console.log(
      `  ${label.padEnd(12)}${models.padEnd(32)}${String(view.calls).padStart(6)}${usd(view.spent).padStart(11)}${usd(view.budget).padStart(11)}${percent(view.spent, view.budget).padStart(7)}`,
    );
  }
  console.log(
    `  ${'workflow'.padEnd(44)}${String(run.calls).padStart(6)}${usd(run.spent).padStart(11)}${usd(run.budget).padStart(11)}${percent(run.spent, run.budget).padStart(7)}`,
  );
  for (const line of notes.downgrades) console.log(`  ↓ downgrade  ${line}`);
  for (const line of notes.blocks) console.log(`  ✋ blocked    ${line}`);
  for (const line of notes.kills) console.log(`  ✖ killed     ${line}`);
  if (run.spent > run.budget) throw new Error(`overspent: ${run.spent} > ${run.budget}`);
}

const runs = [
  await runWorkflow({ name: 'run 1 · research-report', budget: 1.0, topics: ['pricing', 'competitors', 'risks'] }),
  await runWorkflow({
    name: 'run 2 · research-report (tight budget)',
    budget: 0.08,
    topics: ['pricing', 'competitors', 'risks', 'hiring', 'regulation', 'partners'],
  }),
  await runWorkflow({
    name: 'run 3 · research-report (runaway researcher)',
    budget: 1.0,
    topics: ['pricing'],
    runaway: true,
  }),
];
for (const result of runs) printRun(result);

const total = runs.reduce((sum, { run }) => sum + run.spentNanos, 0);
console.log(
  `\nAll runs: ${usd(total / 1e9)} across ${runs.reduce((sum, { run }) => sum + run.calls, 0)} priced calls; no workflow or agent went over its budget.`,
);
await mock.close();
