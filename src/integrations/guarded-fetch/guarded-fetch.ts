import { InvalidOptionsError } from '../../errors/invalid-options-error.js';
import { isTokenFenceError } from '../../errors/token-fence-error.js';
import { anthropicAdapter } from '../../providers/anthropic/anthropic-adapter.js';
import { inferProvider } from '../../providers/infer-provider.js';
import { openAIAdapter } from '../../providers/openai/openai-adapter.js';
import type { ProviderAdapter } from '../../providers/provider-adapter.js';
import { parseJsonObject } from '../../providers/read-json.js';
import { endpointForUrl, guardWireRequest } from '../../proxy/guard-wire-request.js';
import type { Fetch } from '../../proxy/guarded-call.js';
import type { GuardScope } from '../../proxy/invoke-guarded.js';
import { BUDGET_NODE, POLICY } from '../../resolve-options.js';
import type { TokenFence } from '../../token-fence.js';

export type { Fetch };

/** The wire formats a guarded fetch understands: the official SDKs' (and their clones'). */
export type GuardedFetchProvider = 'openai' | 'anthropic';

export interface GuardFetchOptions {
  /**
   * The API the requests speak: `'openai'` (chat completions, responses, embeddings — also the
   * OpenAI-compatible hosts) or `'anthropic'` (messages). Prices follow the fence's `provider` option,
   * else the request's host (`api.deepseek.com` → DeepSeek's prices), else this.
   */
  provider: GuardedFetchProvider;
  /** The fetch that sends admitted requests. @default globalThis.fetch, looked up at each call */
  fetch?: Fetch;
}

const ADAPTERS: Readonly<Record<GuardedFetchProvider, ProviderAdapter>> = {
  openai: openAIAdapter,
  anthropic: anthropicAdapter,
};

/**
 * Registered by @langchain/core (`Symbol.for`, so every copy of it agrees): an error carrying `false`
 * under it is never retried by LangChain's AsyncCaller. A refusal is final — without the mark LangChain
 * retries it six times with exponential backoff, about a minute and a half of waiting for the same no.
 */
const LANGCHAIN_RETRYABLE = Symbol.for('langchain.errors.retryable');

function urlOf(input: string | URL | Request): string {
  return typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
}

/**
 * A refusal, delivered as a response whose body fails with the TokenFence error. An SDK wraps a fetch
 * that rejects in its own connection error and retries it; a body that fails reaches the caller as is,
 * unwrapped and never retried (the SDK reads the body after its retry loop), so `isBudgetExceededError(e)`
 * holds on what the framework finally throws. Nothing was sent: no status of the provider's applies.
 */
function refusal(error: Error, stream: boolean): Response {
  try {
    Object.defineProperty(error, LANGCHAIN_RETRYABLE, { value: false, configurable: true });
  } catch {
    // A frozen error still refuses; it may only be retried (and refused again).
  }
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.error(error);
    },
  });
  return new Response(body, {
    status: 200,
    headers: {
      'content-type': stream ? 'text/event-stream' : 'application/json',
      'x-tokenfence-error': (error as { code?: string }).code ?? 'TOKENFENCE',
    },
  });
}

/** A priced request as (url, init), the way the SDKs call fetch: a `Request` object must not slip past. */
async function asUrlAndInit(
  input: string | URL | Request,
  init: RequestInit | undefined,
): Promise<[string, RequestInit]> {
  if (!(input instanceof Request)) return [urlOf(input), init ?? {}];
  const body = init?.body ?? (await input.clone().text());
  return [input.url, { method: input.method, headers: input.headers, signal: input.signal, ...init, body }];
}

/**
 * A `fetch` that guards every priced request it sends, for frameworks that take a fetch rather than a
 * client — LangChain's `ChatOpenAI` (`configuration: { fetch }`) and `ChatAnthropic`
 * (`clientOptions: { fetch }`). Each request to a priced endpoint is planned and reserved from its JSON
 * body against `fence` and every scope enclosing the call (`fence.run()`, `fence.agent()`), sent, and
 * settled on the usage in the response or the stream; other requests pass through untouched.
 *
 * A refused call sends nothing. Under `onLimit: 'stop'` (the default) a budget refusal is answered
 * locally with a provider-shaped response saying so; any other refusal (a kill, `onLimit: 'throw'`, a
 * loop, an unknown price) fails the call with the TokenFence error itself.
 */
export function guardFetch(fence: TokenFence, options: GuardFetchOptions): Fetch {
  if (typeof fence !== 'object' || fence === null || !(fence as Partial<TokenFence>)[BUDGET_NODE]) {
    throw new InvalidOptionsError('fence', 'expected a TokenFence');
  }
  const given = options as Partial<GuardFetchOptions> | undefined;
  const name = given?.provider;
  const adapter = typeof name === 'string' && Object.hasOwn(ADAPTERS, name) ? ADAPTERS[name] : undefined;
  if (!adapter || adapter.seam === 'method')
    throw new InvalidOptionsError('provider', "expected 'openai' or 'anthropic'");
  if (given?.fetch !== undefined && typeof given.fetch !== 'function') {
    throw new InvalidOptionsError('fetch', 'expected a fetch function');
  }
  const node = fence[BUDGET_NODE];
  const policy = fence[POLICY];
  const baseFetch: Fetch = given?.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const scopes = new Map<string, GuardScope>();
  // One scope per price provider, which the request's host decides.
  const scopeFor = (url: string): GuardScope => {
    const provider = policy.provider ?? inferProvider(url, adapter.provider);
    let scope = scopes.get(provider);
    if (!scope) {
      scope = { provider, node, policy, now: () => node.now(), client: fence };
      scopes.set(provider, scope);
    }
    return scope;
  };

  return async (input, init) => {
    const method = init?.method ?? (input instanceof Request ? input.method : undefined);
    const endpoint = endpointForUrl(adapter.wirePaths, urlOf(input), method === undefined ? undefined : { method });
    if (!endpoint) return baseFetch(input, init);
    const [url, request] = await asUrlAndInit(input, init);
    try {
      return await guardWireRequest(scopeFor(url), endpoint, baseFetch, url, request);
    } catch (error) {
      if (!isTokenFenceError(error)) throw error;
      const params = typeof request.body === 'string' ? parseJsonObject(request.body) : null;
      return refusal(error, params !== null && endpoint.isStream(params));
    }
  };
}
