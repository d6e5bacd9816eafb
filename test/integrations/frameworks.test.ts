import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ChatAnthropic } from '@langchain/anthropic';
import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';
import {
  Agent,
  OpenAIChatCompletionsModel,
  type OpenAIClient,
  OpenAIProvider,
  OpenAIResponsesModel,
  run,
  setTracingDisabled,
} from '@openai/agents';
import OpenAI from 'openai';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CallRecord,
  isBudgetExceededError,
  isInvalidOptionsError,
  isKillSwitchError,
  TokenFence,
  type TokenFenceOptions,
} from '../../src/index.js';
import { guardFetch } from '../../src/integrations/guarded-fetch/index.js';
import { fenceAgentModel, guardAgentModels } from '../../src/integrations/openai-agents/index.js';
import type { MockProvider } from '../../src/testing/index.js';
import { CANARY_KEY } from '../support/clients.js';
import { useMockProvider } from '../support/mock-provider.js';

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

// Per token, in nano-USD: gpt-4o-mini $0.15 / $0.60 per 1M, gpt-4o $2.50 / $10, claude-haiku-4-5 $1 / $5.
const MINI = { input: 150, output: 600 };
const GPT_4O = { input: 2_500, output: 10_000 };
const HAIKU = { input: 1_000, output: 5_000 };
const cost = (rates: { input: number; output: number }, input: number, output: number) =>
  input * rates.input + output * rates.output;

function ledgerOf(fence: TokenFence): CallRecord[] {
  fence.flush();
  return fence.store.queryCalls({});
}

/**
 * Plays the model deciding to hand off, which the mock provider cannot answer (it only writes text): the
 * first answer to a request that offers a `transfer_to_*` tool becomes a call of that tool. It sits under
 * the guard, as the provider would, and keeps the usage the mock billed, so pricing stays exact.
 */
const handoffFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
  const response = await fetch(input, init);
  const body = JSON.parse(String(init?.body ?? '{}')) as { tools?: Array<{ name?: string }>; stream?: boolean };
  const transfer = body.tools?.find((tool) => tool.name?.startsWith('transfer_to_'));
  if (!transfer || String(init?.body).includes('function_call_output')) return response;
  const call = {
    type: 'function_call',
    id: 'fc_mock',
    call_id: 'call_mock',
    name: transfer.name,
    arguments: '{}',
    status: 'completed',
  };
  const text = await response.text();
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  if (!body.stream) return new Response(JSON.stringify({ ...JSON.parse(text), output: [call] }), { headers });
  const events = text.replace(/^data: (.*)$/gm, (_line, data: string) => {
    const event = JSON.parse(data) as { type: string; response?: { output: unknown[] }; delta?: string };
    if (event.type === 'response.completed' && event.response) event.response.output = [call];
    if (event.type === 'response.output_text.delta') event.delta = '';
    return `data: ${JSON.stringify(event)}`;
  });
  return new Response(events, { headers });
};

describe('OpenAI Agents SDK (@openai/agents 0.20)', () => {
  beforeAll(() => setTracingDisabled(true));

  function supportDesk(options: TokenFenceOptions = {}) {
    const fence = new TokenFence({ store: 'memory', ...options });
    const openai = fence.guard(new OpenAI({ apiKey: CANARY_KEY, baseURL: `${mock.url}/v1`, fetch: handoffFetch }));
    // This repository pins openai 6 for its SDK tests; @openai/agents 0.20 is typed against openai 7.
    const modelProvider = new OpenAIProvider({ openAIClient: openai as unknown as OpenAIClient });
    const billing = new Agent({ name: 'billing', instructions: 'Resolve billing questions.', model: 'gpt-4o-mini' });
    const triage = new Agent({
      name: 'triage',
      instructions: 'Hand billing questions to billing.',
      model: 'gpt-4o-mini',
      handoffs: [billing],
    });
    return { fence, openai, modelProvider, triage, billing };
  }

  it('records each model call under the agent that made it, across a handoff', async () => {
    mock.setScenario({ inputTokens: 400, outputTokens: 60 });
    const { fence, modelProvider, triage } = supportDesk();
    const fenced = await guardAgentModels(fence, triage, { modelProvider });
    expect(fenced.map((agent) => agent.name).sort()).toEqual(['billing', 'triage']);

    const result = await fence.run({ workflow: 'support', budget: 1 }, async (runScope) => {
      const answer = await run(triage, 'I was charged twice this month.');
      expect(runScope.byAgent()).toEqual({
        triage: { calls: 1, spent: cost(MINI, 400, 60) / 1e9, budget: Number.POSITIVE_INFINITY },
        billing: { calls: 1, spent: cost(MINI, 400, 60) / 1e9, budget: Number.POSITIVE_INFINITY },
      });
      return answer;
    });
    expect(result.lastAgent?.name).toBe('billing');
    expect(result.finalOutput).toContain('lorem');
    expect(mock.requests.map((request) => request.path)).toEqual(['/v1/responses', '/v1/responses']);
    expect(ledgerOf(fence).map((record) => [record.workflow, record.agent, record.model, record.costNanos])).toEqual([
      ['support', 'triage', 'gpt-4o-mini', cost(MINI, 400, 60)],
      ['support', 'billing', 'gpt-4o-mini', cost(MINI, 400, 60)],
    ]);
    expect(fence.spentNanos).toBe(2 * cost(MINI, 400, 60));
  });

  it('does the same for a streamed run', async () => {
    mock.setScenario({ inputTokens: 250, outputTokens: 40 });
    const { fence, modelProvider, triage } = supportDesk();
    await guardAgentModels(fence, triage, { modelProvider });
    const streamed = await fence.run({ workflow: 'support' }, async () => {
      const events = await run(triage, 'Refund my last invoice.', { stream: true });
      for await (const _event of events) {
        // the run finishes as its events are read
      }
      await events.completed;
      return events;
    });
    expect(streamed.lastAgent?.name).toBe('billing');
    expect(streamed.finalOutput).toContain('lorem');
    expect(mock.requests.map((request) => request.body.stream)).toEqual([true, true]);
    expect(ledgerOf(fence).map((record) => [record.agent, record.stream, record.costNanos])).toEqual([
      ['triage', true, cost(MINI, 250, 40)],
      ['billing', true, cost(MINI, 250, 40)],
    ]);
  });

  it("holds each agent's calls against its own budget: the agent handed off to is refused, nothing sent", async () => {
    mock.setScenario({ inputTokens: 100, outputTokens: 10 });
    const { fence, modelProvider, triage } = supportDesk({ onLimit: 'throw' });
    await guardAgentModels(fence, triage, { modelProvider, agents: { billing: { budget: 0 } } });
    const error = await fence
      .run({ workflow: 'support' }, () => run(triage, 'I was charged twice.'))
      .catch((caught: unknown) => caught);
    expect(isBudgetExceededError(error)).toBe(true);
    expect(error).toMatchObject({ label: 'billing', model: 'gpt-4o-mini' });
    expect(mock.requests).toHaveLength(1);
    expect(ledgerOf(fence).map((record) => [record.agent, record.outcome])).toEqual([
      ['triage', 'ok'],
      ['billing', 'blocked'],
    ]);
  });

  it("answers a refused agent call locally under onLimit: 'stop': the run ends with the refusal as output", async () => {
    const { fence, modelProvider, triage } = supportDesk();
    await guardAgentModels(fence, triage, { modelProvider, agents: { triage: { budget: 0 } } });
    const result = await fence.run({ workflow: 'support' }, () => run(triage, 'Hello'));
    expect(result.finalOutput).toMatch(/^\[TokenFence\] Budget exceeded for "triage"/);
    expect(mock.requests).toHaveLength(0);
  });

  it('a killed run refuses its next agent call with the KillSwitchError, whatever onLimit says', async () => {
    const { fence, modelProvider, triage } = supportDesk();
    await guardAgentModels(fence, triage, { modelProvider });
    const error = await fence
      .run({ workflow: 'support' }, (runScope) => {
        runScope.kill('runaway');
        return run(triage, 'Hello');
      })
      .catch((caught: unknown) => caught);
    expect(isKillSwitchError(error)).toBe(true);
    expect(mock.requests).toHaveLength(0);
    expect(ledgerOf(fence).map((record) => [record.agent, record.outcome])).toEqual([['triage', 'killed']]);
  });

  it('fences a Model instance directly, e.g. Chat Completions, and renames rather than nests when wrapped again', async () => {
    mock.setScenario({ inputTokens: 120, outputTokens: 30 });
    const { fence, openai } = supportDesk();
    const client = openai as unknown as OpenAIClient;
    const chatModel = fenceAgentModel(fence, 'draft', new OpenAIChatCompletionsModel(client, 'gpt-4o'));
    const writer = new Agent({ name: 'writer', instructions: 'Write.', model: chatModel });
    await guardAgentModels(fence, writer);
    const responsesModel = new OpenAIResponsesModel(client, 'gpt-4o-mini');
    const editor = new Agent({ name: 'editor', instructions: 'Edit.', model: responsesModel });
    await guardAgentModels(fence, [editor, editor]);
    await run(writer, 'Draft the release note.');
    await run(editor, 'Tighten it.');
    expect(mock.requests.map((request) => request.path)).toEqual(['/v1/chat/completions', '/v1/responses']);
    expect(ledgerOf(fence).map((record) => [record.agent, record.scope, record.costNanos])).toEqual([
      ['writer', 'default/writer', cost(GPT_4O, 120, 30)],
      ['editor', 'default/editor', cost(MINI, 120, 30)],
    ]);
  });

  it('guards the openai client the Agents SDK itself depends on (7.x) just the same', async () => {
    mock.setScenario({ inputTokens: 200, outputTokens: 20 });
    const fromAgents = createRequire(createRequire(import.meta.url).resolve('@openai/agents-openai'));
    const entry = fromAgents.resolve('openai');
    const manifest = join(dirname(entry), 'package.json');
    const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
    const { default: OpenAI7 } = (await import(pathToFileURL(entry).href)) as {
      default: new (options: object) => OpenAIClient;
    };
    const fence = new TokenFence({ store: 'memory' });
    const client = fence.guard(new OpenAI7({ apiKey: CANARY_KEY, baseURL: `${mock.url}/v1` }));
    const agent = new Agent({ name: 'solo', instructions: 'Answer.', model: 'gpt-4o-mini' });
    await guardAgentModels(fence, agent, { modelProvider: new OpenAIProvider({ openAIClient: client }) });
    await run(agent, 'Hello');
    expect(version.split('.')[0]).toBe('7');
    expect(ledgerOf(fence).map((record) => [record.agent, record.costNanos])).toEqual([['solo', cost(MINI, 200, 20)]]);
  });

  it('needs the model provider for agents that name their model', async () => {
    const { fence, triage } = supportDesk();
    const error = await guardAgentModels(fence, triage).catch((caught: unknown) => caught);
    expect(isInvalidOptionsError(error)).toBe(true);
    expect(String(error)).toMatch(/modelProvider/);
  });
});

describe('LangChain.js (@langchain/openai 1.2, @langchain/anthropic 1.5, @langchain/core 1.4)', () => {
  const chatOpenAI = (fence: TokenFence, fields: { useResponsesApi?: boolean } = {}) =>
    new ChatOpenAI({
      model: 'gpt-4o',
      apiKey: CANARY_KEY,
      ...fields,
      configuration: { baseURL: `${mock.url}/v1`, fetch: guardFetch(fence, { provider: 'openai' }) },
    });
  const chatAnthropic = (fence: TokenFence) =>
    new ChatAnthropic({
      model: 'claude-haiku-4-5',
      apiKey: CANARY_KEY,
      maxTokens: 256,
      clientOptions: { baseURL: mock.url, fetch: guardFetch(fence, { provider: 'anthropic' }) },
    });

  it('prices ChatOpenAI.invoke() exactly from the usage the provider reports', async () => {
    mock.setScenario({ inputTokens: 800, outputTokens: 120 });
    const fence = new TokenFence({ store: 'memory', budget: 1 });
    const message = await chatOpenAI(fence).invoke('Summarise the quarterly report.');
    expect(message.text).toContain('lorem');
    expect(fence.spentNanos).toBe(cost(GPT_4O, 800, 120));
    expect(fence.reserved).toBe(0);
    expect(ledgerOf(fence)).toMatchObject([{ provider: 'openai', model: 'gpt-4o', outcome: 'ok', stream: false }]);
  });

  it('prices ChatOpenAI.stream() from the usage chunk LangChain asks for', async () => {
    mock.setScenario({ inputTokens: 500, outputTokens: 90 });
    const fence = new TokenFence({ store: 'memory', budget: 1 });
    let text = '';
    for await (const chunk of await chatOpenAI(fence).stream('Summarise.')) text += chunk.text;
    expect(text).toContain('lorem');
    expect(mock.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(fence.spentNanos).toBe(cost(GPT_4O, 500, 90));
    expect(ledgerOf(fence)).toMatchObject([{ outcome: 'ok', stream: true, costSource: 'provider' }]);
  });

  it('prices ChatOpenAI on the Responses API', async () => {
    mock.setScenario({ inputTokens: 300, outputTokens: 40 });
    const fence = new TokenFence({ store: 'memory' });
    await chatOpenAI(fence, { useResponsesApi: true }).invoke('Plan the research.');
    expect(mock.requests.map((request) => request.path)).toEqual(['/v1/responses']);
    expect(fence.spentNanos).toBe(cost(GPT_4O, 300, 40));
  });

  it('prices OpenAIEmbeddings through the same fetch', async () => {
    mock.setScenario({ inputTokens: 1_000 });
    const fence = new TokenFence({ store: 'memory' });
    const embeddings = new OpenAIEmbeddings({
      model: 'text-embedding-3-small',
      apiKey: CANARY_KEY,
      configuration: { baseURL: `${mock.url}/v1`, fetch: guardFetch(fence, { provider: 'openai' }) },
    });
    await embeddings.embedQuery('budget guards');
    // text-embedding-3-small: $0.02 per 1M input tokens.
    expect(fence.spentNanos).toBe(1_000 * 20);
    expect(mock.requests.map((request) => request.path)).toEqual(['/v1/embeddings']);
  });

  it('prices ChatAnthropic.invoke() and .stream() exactly', async () => {
    mock.setScenario({ inputTokens: 700, outputTokens: 150 });
    const fence = new TokenFence({ store: 'memory', budget: 1 });
    const model = chatAnthropic(fence);
    expect((await model.invoke('Draft the summary.')).text).toContain('lorem');
    let text = '';
    for await (const chunk of await model.stream('Draft the summary.')) text += chunk.text;
    expect(text).toContain('lorem');
    expect(mock.requests.map((request) => [request.path, request.body.stream ?? false])).toEqual([
      ['/v1/messages', false],
      ['/v1/messages', true],
    ]);
    expect(fence.spentNanos).toBe(2 * cost(HAIKU, 700, 150));
    expect(ledgerOf(fence).map((record) => [record.provider, record.stream, record.outcome])).toEqual([
      ['anthropic', false, 'ok'],
      ['anthropic', true, 'ok'],
    ]);
  });

  it('refuses a call that does not fit before anything is sent: LangChain throws the TokenFence error, unretried', async () => {
    const fence = new TokenFence({ store: 'memory', budget: 0.0001, onLimit: 'throw' });
    const started = Date.now();
    for (const model of [chatOpenAI(fence), chatAnthropic(fence)]) {
      const invoked = await model.invoke('Write a novel.').catch((caught: unknown) => caught);
      expect(isBudgetExceededError(invoked)).toBe(true);
      const streamed = await (async () => {
        for await (const _chunk of await model.stream('Write a novel.')) {
          // never reached
        }
      })().catch((caught: unknown) => caught);
      expect(isBudgetExceededError(streamed)).toBe(true);
    }
    // LangChain retries failures six times with exponential backoff (over a minute): refusals are final.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(mock.requests).toHaveLength(0);
    expect(ledgerOf(fence).map((record) => record.outcome)).toEqual(['blocked', 'blocked', 'blocked', 'blocked']);
    expect(fence.spent).toBe(0);
  });

  it("answers a refusal locally under onLimit: 'stop' (the default): LangChain returns it as the message", async () => {
    const fence = new TokenFence({ store: 'memory', budget: 0 });
    const message = await chatOpenAI(fence).invoke('Hello');
    expect(message.text).toMatch(/^\[TokenFence\] Budget exceeded/);
    let streamed = '';
    for await (const chunk of await chatAnthropic(fence).stream('Hello')) streamed += chunk.text;
    expect(streamed).toMatch(/^\[TokenFence\] Budget exceeded/);
    expect(mock.requests).toHaveLength(0);
  });

  it('attributes calls to the run and agent they are made in, across both models', async () => {
    mock.setScenario({ inputTokens: 100, outputTokens: 20 });
    const fence = new TokenFence({ store: 'memory' });
    const researcher = chatOpenAI(fence);
    const writer = chatAnthropic(fence);
    await fence.run({ workflow: 'brief', budget: 1 }, async (runScope) => {
      await Promise.all([
        fence.agent('researcher', { share: 0.5 }, () => researcher.invoke('Find three facts.')),
        fence.agent('researcher', { share: 0.5 }, () => researcher.invoke('Find three more.')),
      ]);
      await fence.agent('writer', async () => {
        for await (const _chunk of await writer.stream('Write it up.')) {
          // read to the end
        }
      });
      expect(runScope.byAgent()).toEqual({
        researcher: { calls: 2, spent: (2 * cost(GPT_4O, 100, 20)) / 1e9, budget: 0.5 },
        writer: { calls: 1, spent: cost(HAIKU, 100, 20) / 1e9, budget: Number.POSITIVE_INFINITY },
      });
    });
    expect(ledgerOf(fence).map((record) => [record.workflow, record.agent, record.provider])).toEqual([
      ['brief', 'researcher', 'openai'],
      ['brief', 'researcher', 'openai'],
      ['brief', 'writer', 'anthropic'],
    ]);
  });

  it('kill() aborts an in-flight LangChain call at once with the KillSwitchError', async () => {
    mock.setScenario({ delayMs: 2_000 });
    const fence = new TokenFence({ store: 'memory' });
    const pending = chatOpenAI(fence)
      .invoke('Take your time.')
      .catch((caught: unknown) => caught);
    setTimeout(() => fence.kill('runaway'), 50);
    const started = Date.now();
    expect(isKillSwitchError(await pending)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(ledgerOf(fence).map((record) => record.outcome)).toEqual(['killed']);
  });
});

describe('the examples', () => {
  it.each([
    ['openai-agents', [/answered by billing/, /triage\s+1\s/, /billing\s+1\s/]],
    ['langchain', [/reviewer refused, nothing sent/, /researcher\s+1\s/, /writer\s+1\s/]],
    ['langgraph', [/writer node refused, nothing sent/, /planner\s+2\s/, /writer\s+2\s/]],
  ])('examples/%s.ts runs against the mock provider and exits 0', (name, output) => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', `examples/${name}.ts`], {
      cwd: new URL('../../', import.meta.url).pathname,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.status, child.stderr).toBe(0);
    for (const line of output) expect(child.stdout).toMatch(line);
  });
});
