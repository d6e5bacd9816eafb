import { UnsupportedClientError } from '../errors/unsupported-client-error.js';
import { detectProvider } from '../providers/detect-provider.js';
import { inferProvider } from '../providers/infer-provider.js';
import type { EndpointAdapter, ProviderAdapter } from '../providers/provider-adapter.js';
import { BUDGET_NODE, POLICY } from '../resolve-options.js';
import type { TokenFence } from '../token-fence.js';
import type { Guarded } from '../types.js';
import { endpointForUrl, guardWireRequest } from './guard-wire-request.js';
import { CALL_MARKER, type Fetch, type MarkedRequest } from './guarded-call.js';
import { type GuardScope, invokeGuarded } from './invoke-guarded.js';

const GUARDED = Symbol.for('tokenfence.guarded');

interface SdkClient {
  fetch?: Fetch;
  withOptions?: (options: { fetch: Fetch }) => object;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== 'Object' ? `an instance of ${name}` : 'a plain object';
}

/**
 * A fetch that hands requests marked by a guarded call to that call, guards unmarked requests to a
 * priced endpoint from their body, and passes everything else through.
 */
function createGuardedFetch(baseFetch: Fetch, adapter: ProviderAdapter, scope: () => GuardScope): Fetch {
  return (input, init) => {
    const marker = (init as Record<symbol, unknown> | undefined)?.[CALL_MARKER] as MarkedRequest | undefined;
    if (marker) return marker.send(baseFetch, input, init as RequestInit);
    const endpoint = endpointForUrl(adapter.wirePaths, input, init);
    return endpoint
      ? guardWireRequest(scope(), endpoint, baseFetch, input, init as RequestInit)
      : baseFetch(input, init);
  };
}

/** Every prefix of the intercepted method paths: `chat`, `chat.completions`, … */
function resourcePaths(endpoints: ReadonlyMap<string, EndpointAdapter>): Set<string> {
  const paths = new Set<string>();
  for (const path of endpoints.keys()) {
    const parts = path.split('.');
    for (let length = 1; length < parts.length; length += 1) paths.add(parts.slice(0, length).join('.'));
  }
  return paths;
}

/**
 * Wraps one SDK client instance in a Proxy. Only the priced methods are intercepted; every other
 * property and method is the client's own (methods bound to it, so private fields keep working).
 * The client is cloned with `withOptions({ fetch })` so each HTTP attempt passes through the guard,
 * without touching the caller's original instance.
 */
export function guardClient<T extends object>(client: T, fence: TokenFence): Guarded<T> {
  if (typeof client !== 'object' || client === null) throw new UnsupportedClientError(describeValue(client));
  if ((client as Record<symbol, unknown>)[GUARDED]) {
    throw new UnsupportedClientError(
      'a client that is already guarded (nest scopes with `parent` or `fence.guard()` instead)',
    );
  }
  const adapter = detectProvider(client);
  const sdk = client as SdkClient;
  if (!adapter) throw new UnsupportedClientError(describeValue(client));
  if (typeof sdk.withOptions !== 'function' || typeof sdk.fetch !== 'function') {
    throw new UnsupportedClientError(
      `${describeValue(client)} from an SDK version without withOptions() (need openai ≥ 5, @anthropic-ai/sdk ≥ 0.50)`,
    );
  }
  const node = fence[BUDGET_NODE];
  let scope: GuardScope | undefined;
  const inner = sdk.withOptions({ fetch: createGuardedFetch(sdk.fetch, adapter, () => scope as GuardScope) }) as T;
  const policy = fence[POLICY];
  const provider = policy.provider ?? inferProvider((client as { baseURL?: unknown }).baseURL, adapter.provider);
  scope = { provider, node, policy, now: () => node.now(), client: inner };
  const prefixes = resourcePaths(adapter.endpoints);
  const proxies = new WeakMap<object, object>();

  const wrap = <R extends object>(target: R, path: string): R => {
    const known = proxies.get(target);
    if (known) return known as R;
    // Intercepted methods, wrapped resources and bound methods, made once per property: the hot path is
    // one map lookup per property access.
    const made = new Map<PropertyKey, unknown>();
    const proxy = new Proxy(target, {
      get(resource, property) {
        const known = made.get(property);
        if (known !== undefined) return known;
        if (path === '' && property === 'tokenfence') return fence;
        if (path === '' && property === GUARDED) return true;
        const value = Reflect.get(resource, property, resource) as unknown;
        if (typeof property !== 'string') return value;
        const childPath = path === '' ? property : `${path}.${property}`;
        const endpoint = adapter.endpoints.get(childPath);
        let result: unknown;
        if (endpoint && typeof value === 'function') {
          const original = value as (this: unknown, params: unknown, options?: unknown) => unknown;
          result = (params: unknown, options?: unknown) =>
            invokeGuarded(scope, endpoint, original, resource, params, options);
        } else if (prefixes.has(childPath) && typeof value === 'object' && value !== null) {
          result = wrap(value, childPath);
        } else if (typeof value === 'function' && !/^[A-Z]/.test(property)) {
          result = (value as (...args: unknown[]) => unknown).bind(resource);
        } else {
          return value;
        }
        made.set(property, result);
        return result;
      },
      set(resource, property, value) {
        if (path === '' && property === 'tokenfence') return false;
        made.delete(property);
        return Reflect.set(resource, property, value, resource);
      },
    });
    proxies.set(target, proxy);
    return proxy;
  };
  return wrap(inner, '') as Guarded<T>;
}
