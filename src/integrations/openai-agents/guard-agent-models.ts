import { InvalidOptionsError } from '../../errors/invalid-options-error.js';
import type { AgentOptions, TokenFence } from '../../token-fence.js';

/**
 * What TokenFence needs of an Agents SDK `Model` (`OpenAIResponsesModel`, `OpenAIChatCompletionsModel`,
 * any custom one). Typed by shape: `@openai/agents` is never imported.
 */
export interface AgentModelLike {
  getResponse(request: never): Promise<unknown>;
  getStreamedResponse(request: never): AsyncIterable<unknown>;
}

/** What TokenFence needs of an Agents SDK `Agent`: its name, its model, and whom it hands off to. */
export interface AgentLike {
  readonly name: string;
  model: string | AgentModelLike;
  readonly handoffs?: ReadonlyArray<AgentLike | { readonly agent: AgentLike }>;
}

/** An Agents SDK `ModelProvider`, e.g. `new OpenAIProvider({ openAIClient: fence.guard(new OpenAI()) })`. */
export interface AgentModelProviderLike {
  getModel(modelName?: string): AgentModelLike | Promise<AgentModelLike>;
}

export interface GuardAgentModelsOptions {
  /**
   * Resolves the agents whose `model` is a name (or unset) — the model the Runner would otherwise ask
   * its own provider for. Give it a guarded client: it is what prices and enforces the calls.
   */
  modelProvider?: AgentModelProviderLike;
  /** Budgets of agent roles by agent name (`{ triage: { share: 0.2 } }`), as `fence.agent()` takes them. */
  agents?: Readonly<Record<string, AgentOptions>>;
}

const FENCED = Symbol.for('tokenfence.agent-model');

interface FencedModel {
  readonly [FENCED]: { readonly inner: AgentModelLike };
}

function innerModel<M extends AgentModelLike>(model: M): M {
  return ((model as Partial<FencedModel>)[FENCED]?.inner as M | undefined) ?? model;
}

function isModel(value: unknown): value is AgentModelLike {
  const model = value as Partial<Record<keyof AgentModelLike, unknown>> | null;
  return (
    typeof value === 'object' &&
    model !== null &&
    typeof model.getResponse === 'function' &&
    typeof model.getStreamedResponse === 'function'
  );
}

type Scoped = <T>(fn: () => T | Promise<T>) => Promise<T>;

/**
 * A stream whose every step runs inside the agent's scope: the request starts in the first `next()`
 * (the model's generator body runs there), and the Runner may pull later events from another context.
 */
function scopedStream<E>(scoped: Scoped, open: () => AsyncIterable<E>): AsyncIterable<E> {
  return {
    [Symbol.asyncIterator]() {
      let iterator: AsyncIterator<E> | undefined;
      return {
        next: () =>
          scoped(() => {
            iterator ??= open()[Symbol.asyncIterator]();
            return iterator.next();
          }),
        return: (value?: unknown) => {
          const done = iterator?.return;
          return done
            ? scoped(() => done.call(iterator, value))
            : Promise.resolve({ done: true as const, value: value as E });
        },
        throw: (error?: unknown) => {
          const fail = iterator?.throw;
          return fail ? scoped(() => fail.call(iterator, error)) : Promise.reject(error);
        },
      };
    },
  };
}

/**
 * The same model, its calls made as agent `agentName`: each `getResponse` / `getStreamedResponse` runs
 * inside `fence.agent(agentName, options, …)`, so the guarded client under it records the call under the
 * agent and holds it against the agent's budget (within the current `fence.run()`, if any). Everything
 * else on the model is its own. Wrapping a fenced model again renames it rather than nesting.
 */
export function fenceAgentModel<M extends AgentModelLike>(
  fence: TokenFence,
  agentName: string,
  model: M,
  options: AgentOptions = {},
): M {
  if (typeof fence?.agent !== 'function') throw new InvalidOptionsError('fence', 'expected a TokenFence');
  if (typeof agentName !== 'string' || agentName.trim() === '') {
    throw new InvalidOptionsError('agentName', 'expected the agent name');
  }
  if (!isModel(model)) {
    throw new InvalidOptionsError('model', 'expected an Agents SDK Model (getResponse, getStreamedResponse)');
  }
  const inner = innerModel(model);
  const scoped: Scoped = (fn) => fence.agent(agentName, options, fn);
  type Call = (this: M, request: unknown) => unknown;
  const getResponse = (request: unknown) => scoped(() => (inner.getResponse as Call).call(inner, request));
  const getStreamedResponse = (request: unknown) =>
    scopedStream(scoped, () => (inner.getStreamedResponse as Call).call(inner, request) as AsyncIterable<unknown>);
  const bound = new WeakMap<object, unknown>();
  return new Proxy(inner, {
    get(target, property) {
      if (property === FENCED) return { inner: target };
      if (property === 'getResponse') return getResponse;
      if (property === 'getStreamedResponse') return getStreamedResponse;
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function') return value;
      // Bound to the model itself: SDK models keep #private state a Proxy `this` cannot reach.
      let method = bound.get(value);
      if (method === undefined) {
        method = (value as (...args: unknown[]) => unknown).bind(target);
        bound.set(value, method);
      }
      return method;
    },
  });
}

/** The agent a handoff entry leads to: an Agent itself, or a `handoff(agent, …)` object. */
function handoffTarget(entry: AgentLike | { readonly agent: AgentLike }): AgentLike | undefined {
  if ('name' in entry && 'model' in entry) return entry;
  const agent = (entry as { agent?: unknown }).agent;
  return typeof agent === 'object' && agent !== null && 'name' in agent && 'model' in agent
    ? (agent as AgentLike)
    : undefined;
}

/** Every agent reachable from `roots` through handoffs, each once (handoff graphs may have cycles). */
function reachableAgents(roots: readonly AgentLike[]): AgentLike[] {
  const seen = new Set<AgentLike>();
  const pending = [...roots];
  for (let agent = pending.pop(); agent !== undefined; agent = pending.pop()) {
    if (seen.has(agent)) continue;
    seen.add(agent);
    for (const entry of agent.handoffs ?? []) {
      const target = handoffTarget(entry);
      if (target && !seen.has(target)) pending.push(target);
    }
  }
  return [...seen];
}

/**
 * Makes every model call of the given Agents SDK agents — and of every agent they hand off to — count
 * as that agent's: each agent's `model` is replaced by `fenceAgentModel(fence, agent.name, …)`. Agents
 * that name their model (`model: 'gpt-4.1-mini'`) or leave it unset get it from `modelProvider`. Call it
 * once, before running; it is idempotent. Returns the agents it fenced.
 *
 * The calls are priced and enforced by the guarded client under the models (`fence.guard(new OpenAI())`
 * given to the model or the provider): this only tells that client whose calls they are.
 */
export async function guardAgentModels(
  fence: TokenFence,
  agents: AgentLike | readonly AgentLike[],
  options: GuardAgentModelsOptions = {},
): Promise<AgentLike[]> {
  const roots: readonly AgentLike[] = Array.isArray(agents) ? agents : [agents as AgentLike];
  if (roots.some((agent) => typeof agent !== 'object' || agent === null || typeof agent.name !== 'string')) {
    throw new InvalidOptionsError('agents', 'expected an Agents SDK Agent or a list of them');
  }
  const provider = options.modelProvider;
  if (provider !== undefined && typeof provider?.getModel !== 'function') {
    throw new InvalidOptionsError('modelProvider', 'expected a ModelProvider (getModel)');
  }
  const found = reachableAgents(roots);
  const models = await Promise.all(
    found.map(async (agent): Promise<AgentModelLike> => {
      if (typeof agent.model !== 'string') return agent.model;
      if (!provider) {
        throw new InvalidOptionsError(
          'modelProvider',
          `agent "${agent.name}" names its model (${JSON.stringify(agent.model)}): pass the provider that resolves it, ` +
            'e.g. new OpenAIProvider({ openAIClient: fence.guard(new OpenAI()) })',
        );
      }
      // '' is the SDK's "unset": the provider's default model.
      return provider.getModel(agent.model === '' ? undefined : agent.model);
    }),
  );
  found.forEach((agent, index) => {
    agent.model = fenceAgentModel(fence, agent.name, models[index] as AgentModelLike, options.agents?.[agent.name]);
  });
  return found;
}
