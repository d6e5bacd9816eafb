import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CallRecord, InvalidOptionsError, TokenFence } from '../../src/index.js';
import { fenceAgentMiddleware } from '../../src/integrations/ai-sdk/index.js';
import type { MockProvider } from '../../src/testing/index.js';
import { useMockProvider } from '../support/mock-provider.js';

// @mastra/core 1.x asks for Node >= 22.13 (its `engines`) and is only loaded there.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const mastraRuns = major > 22 || (major === 22 && minor >= 13);

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

// Per token, in nano-USD: gpt-4o-mini $0.15 / $0.60 per 1M, gpt-4o $2.50 / $10.
const MINI = { input: 150, output: 600 };
const GPT_4O = { input: 2_500, output: 10_000 };
const cost = (rates: { input: number; output: number }, input: number, output: number) =>
  input * rates.input + output * rates.output;

type MastraModules = {
  Agent: typeof import('@mastra/core/agent').Agent;
  createOpenAI: typeof import('@ai-sdk/openai').createOpenAI;
  wrapLanguageModel: typeof import('ai').wrapLanguageModel;
};
let modules: MastraModules;

/**
 * Plays the supervisor's model deciding to delegate, which the mock provider cannot answer (it only writes
 * text): while a request offers the `agent-*` tools Mastra makes of sub-agents, each answer becomes a call
 * of the next sub-agent not yet called (researcher, then writer). It sits under the guard, as the provider
 * would, and keeps the usage the mock billed, so pricing stays exact.
 */
const delegatingFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
  const response = await fetch(input, init);
  const body = JSON.parse(String(init?.body ?? '{}')) as {
    tools?: Array<{ function?: { name?: string } }>;
    messages?: Array<{ role: string }>;
  };
  const offered = (body.tools ?? []).flatMap((tool) => tool.function?.name ?? []);
  const next = ['agent-researcher', 'agent-writer'][(body.messages ?? []).filter((m) => m.role === 'tool').length];
  if (next === undefined || !offered.includes(next)) return response;
  const json = (await response.json()) as { choices: object[] };
  const call = { id: `call_${next}`, type: 'function', function: { name: next, arguments: '{"prompt":"go"}' } };
  const message = { role: 'assistant', content: null, tool_calls: [call] };
  json.choices = [{ ...json.choices[0], message, finish_reason: 'tool_calls' }];
  return new Response(JSON.stringify(json), { headers: { 'content-type': 'application/json' } });
};

function network(fence: TokenFence, writerBudget?: number) {
  const { Agent, createOpenAI, wrapLanguageModel } = modules;
  const openai = createOpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'sk-mock', fetch: delegatingFetch });
  const model = (id: string, role: string, budget?: number) =>
    wrapLanguageModel({
      model: openai.chat(id),
      middleware: fenceAgentMiddleware(fence, role, budget === undefined ? {} : { budget }),
    });
  const researcher = new Agent({
    id: 'researcher',
    name: 'researcher',
    description: 'Finds facts.',
    instructions: 'List facts.',
    model: model('gpt-4o-mini', 'researcher'),
  });
  const writer = new Agent({
    id: 'writer',
    name: 'writer',
    description: 'Writes the brief.',
    instructions: 'Write one paragraph.',
    model: model('gpt-4o-mini', 'writer', writerBudget),
  });
  return new Agent({
    id: 'supervisor',
    name: 'supervisor',
    instructions: 'Delegate research, then writing.',
    model: model('gpt-4o', 'supervisor'),
    agents: { researcher, writer },
  });
}

function ledgerOf(fence: TokenFence): CallRecord[] {
  fence.flush();
  return fence.store.queryCalls({});
}

describe('fenceAgentMiddleware (ai 6, @ai-sdk/openai 3; any Node)', () => {
  it("runs each call as the role's agent scope in the current run, with the role's budget", async () => {
    const { generateText, streamText, wrapLanguageModel } = await import('ai');
    const { createOpenAI } = await import('@ai-sdk/openai');
    mock.setScenario({ inputTokens: 350, outputTokens: 90 });
    const fence = new TokenFence({ store: 'memory', onLimit: 'throw' });
    const openai = createOpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'sk-mock' });
    const middleware = fenceAgentMiddleware(fence, 'researcher', { budget: 0.01 });
    const model = wrapLanguageModel({ model: openai.chat('gpt-4o-mini'), middleware });
    const tight = wrapLanguageModel({
      model: openai.chat('gpt-4o-mini'),
      middleware: fenceAgentMiddleware(fence, 'writer', { budget: 0.000002 }),
    });
    const byAgent = await fence.run({ workflow: 'w', budget: 1 }, async (run) => {
      await generateText({ model, prompt: 'facts' });
      await streamText({ model, prompt: 'more facts' }).text;
      await expect(generateText({ model: tight, prompt: 'write', maxRetries: 0 })).rejects.toMatchObject({
        code: 'BUDGET_EXCEEDED',
        label: 'writer',
      });
      return run.byAgent();
    });
    expect(byAgent).toEqual({
      researcher: { spent: (2 * cost(MINI, 350, 90)) / 1e9, calls: 2, budget: 0.01 },
      writer: { spent: 0, calls: 0, budget: 0.000002 },
    });
    expect(mock.requests).toHaveLength(2);
    expect(ledgerOf(fence).map((record) => [record.agent, record.workflow, record.stream, record.outcome])).toEqual([
      ['researcher', 'w', false, 'ok'],
      ['researcher', 'w', true, 'ok'],
      ['writer', 'w', false, 'blocked'],
    ]);
    expect(middleware.tokenfence.spentNanos).toBe(2 * cost(MINI, 350, 90));
  });

  it('rejects a missing role name when the middleware is made', () => {
    const fence = new TokenFence({ store: 'memory' });
    expect(() => fenceAgentMiddleware(fence, '')).toThrow(InvalidOptionsError);
  });
});

describe.skipIf(!mastraRuns)(
  'Mastra (@mastra/core 1.71 via tokenfence/ai-sdk; skipped below Node 22.13, its engines)',
  () => {
    beforeAll(async () => {
      modules = {
        Agent: (await import('@mastra/core/agent')).Agent,
        createOpenAI: (await import('@ai-sdk/openai')).createOpenAI,
        wrapLanguageModel: (await import('ai')).wrapLanguageModel,
      };
    });

    it('a supervisor delegating to researcher and writer: each agent is attributed and priced exactly', async () => {
      mock.setScenario({ inputTokens: 350, outputTokens: 90 });
      const fence = new TokenFence({ store: 'memory', onLimit: 'throw' });
      const supervisor = network(fence);
      const byAgent = await fence.run({ workflow: 'brief', budget: 1 }, async (run) => {
        const result = await supervisor.generate('Write a brief on budget guards.', { maxSteps: 5 });
        expect(result.text).not.toBe('');
        return run.byAgent();
      });

      // supervisor: delegates twice, then answers (3 calls); researcher and writer answer once each.
      expect(mock.requests).toHaveLength(5);
      const supervisorCost = 3 * cost(GPT_4O, 350, 90);
      const miniCost = cost(MINI, 350, 90);
      expect(supervisorCost).toBe(5_325_000);
      expect(miniCost).toBe(106_500);
      expect(byAgent).toEqual({
        supervisor: { spent: supervisorCost / 1e9, calls: 3, budget: expect.any(Number) },
        researcher: { spent: miniCost / 1e9, calls: 1, budget: expect.any(Number) },
        writer: { spent: miniCost / 1e9, calls: 1, budget: expect.any(Number) },
      });
      const records = ledgerOf(fence);
      expect(records.map((record) => [record.agent, record.model, record.costNanos, record.workflow])).toEqual([
        ['supervisor', 'gpt-4o', cost(GPT_4O, 350, 90), 'brief'],
        ['researcher', 'gpt-4o-mini', miniCost, 'brief'],
        ['supervisor', 'gpt-4o', cost(GPT_4O, 350, 90), 'brief'],
        ['writer', 'gpt-4o-mini', miniCost, 'brief'],
        ['supervisor', 'gpt-4o', cost(GPT_4O, 350, 90), 'brief'],
      ]);
      expect(records.every((record) => record.costSource === 'provider' && record.outcome === 'ok')).toBe(true);
      expect(fence.spentNanos).toBe(supervisorCost + 2 * miniCost);
    });

    it("a writer whose budget is below its call's worst case is refused before anything is sent", async () => {
      mock.setScenario({ inputTokens: 350, outputTokens: 90 });
      const fence = new TokenFence({ store: 'memory', onLimit: 'throw' });
      // $0.000002 (2,000 n$) is below the writer's prompt alone at gpt-4o-mini's rate: no answer length fits.
      const supervisor = network(fence, 0.000002);
      const spent = await fence.run({ workflow: 'brief', budget: 1 }, async (run) => {
        await supervisor.generate('Write a brief on budget guards.', { maxSteps: 5 });
        return run.byAgent();
      });

      // Mastra hands the sub-agent's BudgetExceededError back to the supervisor as a failed tool result,
      // so the supervisor goes on and answers; the writer's request never reached the provider.
      expect(ledgerOf(fence).map((record) => [record.agent, record.outcome])).toEqual([
        ['supervisor', 'ok'],
        ['researcher', 'ok'],
        ['supervisor', 'ok'],
        ['writer', 'blocked'],
        ['supervisor', 'ok'],
      ]);
      expect(mock.requests).toHaveLength(4);
      expect(mock.requests.filter((request) => JSON.stringify(request.body).includes('Write one paragraph'))).toEqual(
        [],
      );
      expect(JSON.stringify(mock.requests[3]?.body)).toContain('Failed agent tool execution for writer');
      expect(spent.writer).toEqual({ spent: 0, calls: 0, budget: 0.000002 });
      expect(fence.spentNanos).toBe(3 * cost(GPT_4O, 350, 90) + cost(MINI, 350, 90));
    });

    // Last in the file: a following test would reuse a kept-alive socket the mock closed while this one ran.
    it('examples/mastra.ts runs against the mock provider and exits 0', () => {
      const child = spawnSync(process.execPath, ['--import', 'tsx', 'examples/mastra.ts'], {
        cwd: new URL('../../', import.meta.url).pathname,
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(child.status, child.stderr).toBe(0);
      expect(child.stdout).toMatch(/4 requests sent: the writer's call was refused before sending/);
      // The report's agent table: Agent, Runs, Calls, Sent, Blocked, …
      expect(child.stdout).toMatch(/supervisor\s+1\s+3\s+3\s+0\s/);
      expect(child.stdout).toMatch(/researcher\s+1\s+1\s+1\s+0\s/);
      expect(child.stdout).toMatch(/writer\s+1\s+1\s+0\s+1\s/);
    });
  },
);
