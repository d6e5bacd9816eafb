import { describe, expect, it } from 'vitest';
import { isInvalidOptionsError } from '../../errors/invalid-options-error.js';
import { currentCallContext } from '../../runs/call-context.js';
import { TokenFence } from '../../token-fence.js';
import { type AgentLike, type AgentModelLike, fenceAgentModel, guardAgentModels } from './guard-agent-models.js';

/** The scope a call made right now would count in: its label and budget. */
function currentScope(): { label: string; budget: number } | undefined {
  const owner = currentCallContext()?.owner as TokenFence | undefined;
  return owner && { label: owner.label, budget: owner.budget };
}

/** A model like the SDK's: #private state, and a stream that reports where each step runs. */
class ProbeModel implements AgentModelLike {
  readonly #name: string;
  streamClosedIn: string | undefined;
  constructor(name = 'probe') {
    this.#name = name;
  }
  get name(): string {
    return this.#name;
  }
  describe(): string {
    return `model ${this.#name}`;
  }
  async getResponse(_request: unknown): Promise<unknown> {
    return currentScope();
  }
  async *getStreamedResponse(_request: unknown): AsyncIterable<unknown> {
    try {
      yield currentScope()?.label;
      await Promise.resolve();
      yield currentScope()?.label;
      yield currentScope()?.label;
    } finally {
      this.streamClosedIn = currentScope()?.label;
    }
  }
}

const respond = (model: AgentModelLike) => (model.getResponse as (request: unknown) => Promise<unknown>)({});
const stream = (model: AgentModelLike) =>
  (model.getStreamedResponse as (request: unknown) => AsyncIterable<unknown>)({});

describe('fenceAgentModel', () => {
  it("runs each response inside the agent's scope, within the current run", async () => {
    const fence = new TokenFence();
    const model = fenceAgentModel(fence, 'triage', new ProbeModel(), { budget: 2 });
    expect(await respond(model)).toEqual({ label: 'triage', budget: 2 });
    const scopes = await fence.run({ workflow: 'support' }, async () => [currentScope()?.label, await respond(model)]);
    expect(scopes).toEqual(['support', { label: 'triage', budget: 2 }]);
  });

  it("runs every step of a stream inside the agent's scope, also when the reader stops early", async () => {
    const inner = new ProbeModel();
    const model = fenceAgentModel(new TokenFence(), 'billing', inner);
    const seen: unknown[] = [];
    for await (const label of stream(model)) {
      seen.push(label);
      if (seen.length === 2) break;
    }
    expect(seen).toEqual(['billing', 'billing']);
    expect(inner.streamClosedIn).toBe('billing');
  });

  it("keeps the model's own members, bound to it (private state included)", () => {
    const model = fenceAgentModel(new TokenFence(), 'triage', new ProbeModel('gpt-x'));
    expect(model.name).toBe('gpt-x');
    const { describe: describeModel } = model;
    expect(describeModel()).toBe('model gpt-x');
    expect(model).toBeInstanceOf(ProbeModel);
  });

  it('renames a fenced model when fenced again, never nesting agent scopes', async () => {
    const fence = new TokenFence();
    const once = fenceAgentModel(fence, 'first', new ProbeModel());
    const twice = fenceAgentModel(fence, 'second', once);
    expect(await respond(twice)).toMatchObject({ label: 'second' });
    expect(await respond(once)).toMatchObject({ label: 'first' });
  });

  it('validates its arguments', () => {
    const fence = new TokenFence();
    const optionOf = (call: () => unknown) => {
      try {
        call();
      } catch (error) {
        return isInvalidOptionsError(error) ? error.option : String(error);
      }
      return 'accepted';
    };
    expect(optionOf(() => fenceAgentModel({} as TokenFence, 'a', new ProbeModel()))).toBe('fence');
    expect(optionOf(() => fenceAgentModel(fence, ' ', new ProbeModel()))).toBe('agentName');
    expect(optionOf(() => fenceAgentModel(fence, 'a', {} as AgentModelLike))).toBe('model');
  });
});

describe('guardAgentModels', () => {
  it('fences every agent reachable through handoffs (agents and handoff objects, cycles included) once', async () => {
    const fence = new TokenFence();
    const asked: Array<string | undefined> = [];
    const modelProvider = {
      getModel: async (name?: string) => {
        asked.push(name);
        return new ProbeModel(name);
      },
    };
    const refunds: AgentLike = { name: 'refunds', model: '', handoffs: [] };
    const billing: AgentLike = { name: 'billing', model: 'gpt-4o-mini', handoffs: [{ agent: refunds }] };
    const triage: AgentLike = { name: 'triage', model: new ProbeModel(), handoffs: [billing] };
    (refunds.handoffs as AgentLike[]).push(triage);

    const fenced = await guardAgentModels(fence, triage, { modelProvider, agents: { billing: { budget: 1 } } });
    expect(fenced.map((agent) => agent.name).sort()).toEqual(['billing', 'refunds', 'triage']);
    expect(asked.sort()).toEqual(['gpt-4o-mini', undefined]);
    const answers = await Promise.all(
      [triage, billing, refunds].map((agent) => respond(agent.model as AgentModelLike)),
    );
    expect(answers).toEqual([
      { label: 'triage', budget: Number.POSITIVE_INFINITY },
      { label: 'billing', budget: 1 },
      { label: 'refunds', budget: Number.POSITIVE_INFINITY },
    ]);

    const before = triage.model;
    await guardAgentModels(fence, [triage]);
    expect(await respond(triage.model as AgentModelLike)).toMatchObject({ label: 'triage' });
    expect(triage.model).not.toBe(before);
  });

  it('needs a model provider for an agent that names its model, and validates the rest', async () => {
    const fence = new TokenFence();
    const named: AgentLike = { name: 'triage', model: 'gpt-4o-mini' };
    const optionOf = (promise: Promise<unknown>) =>
      promise.then(
        () => 'accepted',
        (error: unknown) => (isInvalidOptionsError(error) ? error.option : String(error)),
      );
    expect(await optionOf(guardAgentModels(fence, named))).toBe('modelProvider');
    expect(await optionOf(guardAgentModels(fence, named, { modelProvider: {} as never }))).toBe('modelProvider');
    expect(await optionOf(guardAgentModels(fence, [null as unknown as AgentLike]))).toBe('agents');
    expect(named.model).toBe('gpt-4o-mini');
  });
});
