import { describe, expect, it } from 'vitest';
import type { ModelRates } from '../pricing/model-rates.js';
import { createPromptShape } from '../tokens/estimate-prompt-tokens.js';
import { BudgetNode } from './budget-node.js';
import { type CallRequest, planCall, type ServerToolRequest } from './plan-call.js';

/** $1 per 1M input and output tokens, $0.01 per search: 1 token = 1,000 n$. */
const rates: ModelRates = {
  model: 'claude-haiku-4-5',
  provider: 'anthropic',
  base: { input: 1_000_000_000, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, output: 1_000_000_000 },
  tiers: [],
  origin: 'override',
  maxOutputTokens: 1_000,
  fees: { webSearch: 10_000_000, webFetch: 0 },
};

/** A 1,000-token prompt (1,000 bytes) and 1,000 output tokens, with the given changes. */
function requestWith(changes: Partial<CallRequest>): CallRequest {
  const prompt = createPromptShape();
  prompt.texts.push('x'.repeat(1_000));
  return {
    provider: 'anthropic',
    model: 'claude-haiku-4-5',
    outputCap: 1_000,
    choices: 1,
    producesOutput: true,
    prompt,
    cacheWrite: undefined,
    tokenizer: 'exact',
    hiddenContext: false,
    ...changes,
  };
}

function held(tool: ServerToolRequest, budgetNanos = 10_000_000_000): { nanos: number; caps: unknown } {
  const root = new BudgetNode({
    label: 'root',
    parent: undefined,
    limitNanos: budgetNanos,
    threshold: 1,
    onEvent: undefined,
    now: () => 0,
  });
  const request = requestWith({ serverTools: [tool] });
  const plan = planCall(
    root.scope,
    request,
    { fallbacks: [], prices: { resolve: () => rates }, overspend: false },
    new Date(0),
  );
  if (!plan.admitted) throw new Error('refused');
  return { nanos: plan.reservation.heldNanos, caps: plan.toolCaps };
}

describe('planCall: per-use server tools', () => {
  const prompt = 1_000;
  const output = 1_000;

  it('adds every use at its fee and its results, and the prompt again at every step of a server-side loop', () => {
    const plain = held({ fee: 'webSearch', maxUses: 3, inputTokensPerUse: 500 }).nanos;
    expect(plain).toBe((prompt + 3 * 500 + output) * 1_000 + 3 * 10_000_000);
    const loop = held({ fee: 'webSearch', maxUses: 3, inputTokensPerUse: 500, rereadsPrompt: true }).nanos;
    // 3 steps each read the prompt again, plus the results so far: 500 × (1 + 2 + 3).
    expect(loop).toBe((prompt + 3 * prompt + 500 * 6 + output) * 1_000 + 3 * 10_000_000);
  });

  it('never adds more than a context window per step (claude-haiku-4-5 reads 200k)', () => {
    const { nanos } = held({ fee: 'webFetch', maxUses: 2, inputTokensPerUse: 150_000, rereadsPrompt: true });
    expect(nanos).toBe((prompt + 2 * 200_000 + output) * 1_000);
  });

  it('injects 10 uses for an uncapped tool, or 1 when 10 do not fit', () => {
    expect(held({ fee: 'webSearch', maxUses: undefined, inputTokensPerUse: 0 }).caps).toEqual({ webSearch: 10 });
    const tight = (prompt + output) * 1_000 + 2 * 10_000_000;
    expect(held({ fee: 'webSearch', maxUses: undefined, inputTokensPerUse: 0 }, tight).caps).toEqual({ webSearch: 1 });
  });
});

describe('planCall: a downgrade reserves the tools as they bill on the model it sends to', () => {
  it('uses the tools of the fallback model', () => {
    const root = new BudgetNode({
      label: 'root',
      parent: undefined,
      limitNanos: 10_000_000_000,
      threshold: 0,
      onEvent: undefined,
      now: () => 0,
    });
    const request = requestWith({
      prompt: createPromptShape(),
      outputCap: 0,
      model: 'asked',
      serverTools: [{ fee: 'webSearch', maxUses: 1, fixed: true, inputTokensPerUse: 0 }],
      serverToolsOn: () => [{ fee: 'webSearch', maxUses: 10, fixed: true, inputTokensPerUse: 0 }],
    });
    // Threshold 0: past it at once, so the call goes to the fallback.
    const plan = planCall(
      root.scope,
      request,
      { fallbacks: ['fallback'], prices: { resolve: () => rates }, overspend: false },
      new Date(0),
    );
    expect(plan.admitted && plan.model).toBe('fallback');
    expect(plan.admitted && plan.reservation.heldNanos).toBe(10 * 10_000_000);
  });
});

describe('planCall: the provider count near the budget edge', () => {
  const policy = { fallbacks: [], prices: { resolve: () => rates }, overspend: false };
  const scopeWith = (limitNanos: number) =>
    new BudgetNode({ label: 'root', parent: undefined, limitNanos, threshold: 1, onEvent: undefined, now: () => 0 })
      .scope;
  /** 'x' × 1,000 is 125 o200k tokens: ×1.5 ≈ 188 estimated; its byte bound is 1,000. */
  const estimated = requestWith({ tokenizer: 'estimated' });

  it('asks for a count, holding nothing, when the estimated bound does not fit but an empty prompt would', () => {
    const scope = scopeWith(1_100_000); // 1,100 tokens: the 1,000-token output fits, not 188 + 1,000
    const plan = planCall(scope, estimated, policy, new Date(0), 'can-count');
    expect(plan.admitted).toBe(false);
    if (plan.admitted) return;
    expect(plan.countFirst?.boundTokens).toBeGreaterThan(180);
    expect(scope.primary.heldNanos).toBe(0);
  });

  it('does not ask when the bound fits, when an exact local count is the bound, or when even no prompt fits', () => {
    expect(planCall(scopeWith(10_000_000), estimated, policy, new Date(0), 'can-count').admitted).toBe(true);
    const exact = planCall(scopeWith(1_100_000), requestWith({}), policy, new Date(0), 'can-count');
    expect(exact.admitted === false && exact.countFirst).toBeUndefined();
    const tiny = planCall(scopeWith(900_000), estimated, policy, new Date(0), 'can-count');
    expect(tiny.admitted === false && tiny.countFirst).toBeUndefined();
  });

  it('plans the asked model on the counted prompt tokens instead of its bound', () => {
    const plan = planCall(scopeWith(1_100_000), estimated, policy, new Date(0), { promptTokens: 50 });
    expect(plan.admitted).toBe(true);
    if (plan.admitted) expect(plan.reservation.heldNanos).toBe((50 + 1_000) * 1_000);
  });
});
