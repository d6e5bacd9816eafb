import type { BudgetNode } from '../budget/budget-node.js';
import { checkFallbackPrices } from '../budget/fallback-models.js';
import { UnbudgetedEndpointError } from '../errors/unbudgeted-endpoint-error.js';
import { UnsupportedClientError } from '../errors/unsupported-client-error.js';
import { detectProvider } from '../providers/detect-provider.js';
import { inferProvider } from '../providers/infer-provider.js';
import type {
  FetchProviderAdapter,
  MethodProviderAdapter,
  ProviderAdapter,
  ResourceLink,
} from '../providers/provider-adapter.js';
import { BUDGET_NODE, POLICY } from '../resolve-options.js';
import type { TokenFence } from '../token-fence.js';
import type { Guarded } from '../types.js';
import { DeniedApiPromise } from './denied-api-promise.js';
import { endpointForUrl, guardWireRequest } from './guard-wire-request.js';
import { CALL_MARKER, type Fetch, type MarkedRequest } from './guarded-call.js';
import { type GuardScope, invokeGuarded } from './invoke-guarded.js';
import { invokeMethodGuarded } from './invoke-method-guarded.js';

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
function createGuardedFetch(baseFetch: Fetch, adapter: FetchProviderAdapter, scope: () => GuardScope): Fetch {
  return (input, init) => {
    const marker = (init as Record<symbol, unknown> | undefined)?.[CALL_MARKER] as MarkedRequest | undefined;
    if (marker) return marker.send(baseFetch, input, init as RequestInit);
    const endpoint = endpointForUrl(adapter.wirePaths, input, init);
    return endpoint
      ? guardWireRequest(scope(), endpoint, baseFetch, input, init as RequestInit)
      : baseFetch(input, init);
  };
}

/** Every prefix of the intercepted (or linked) method paths: `chat`, `chat.completions`, … */
function resourcePaths(methodPaths: Iterable<string>): Set<string> {
  const paths = new Set<string>();
  for (const path of methodPaths) {
    const parts = path.split('.');
    for (let length = 1; length < parts.length; length += 1) paths.add(parts.slice(0, length).join('.'));
  }
  return paths;
}

type AnyMethod = (this: unknown, ...args: unknown[]) => unknown;

/**
 * The stand-in for a method that bills outside the per-call budget: refused (as a rejected promise,
 * before any request) while a scope of the call has a budget, the SDK's own method otherwise.
 */
function guardUnbudgeted(
  adapter: ProviderAdapter,
  path: string,
  original: AnyMethod,
  resource: object,
  node: BudgetNode,
  provider: string,
): ((...args: unknown[]) => unknown) | undefined {
  const what = adapter.unbudgeted?.get(path);
  if (what === undefined) return undefined;
  return (...args: unknown[]) =>
    node.underBudget
      ? new DeniedApiPromise(new UnbudgetedEndpointError(path, provider, what))
      : original.apply(resource, args);
}

/** What the Proxy does with the methods on the guarded paths. */
interface Interception {
  /** The guarded stand-in for the method at `path`, or undefined to leave it alone. */
  method(path: string, original: AnyMethod, resource: object): ((...args: unknown[]) => unknown) | undefined;
  links: ReadonlyMap<string, ResourceLink>;
  /** Resource paths to wrap (prefixes of the intercepted and linked methods). */
  prefixes: ReadonlySet<string>;
}

/**
 * Wraps `inner` in a Proxy. Only the intercepted methods are replaced; every other property and method
 * is the client's own (methods bound to it, so private fields keep working).
 */
function proxyClient<T extends object>(
  inner: T,
  fence: TokenFence,
  interception: Interception,
  original: object = inner,
): Guarded<T> {
  const proxies = new WeakMap<object, object>();
  let root: object | undefined;
  const originalAt = (path: string): unknown =>
    path === '' ? original : path.split('.').reduce<unknown>((value, key) => asRecord(value)?.[key], original);

  /** The guarded resource at a dotted path, e.g. `models`. */
  const guardedAt = (path: string): unknown =>
    path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown>)?.[key], root);

  /**
   * Objects made by a linked method reach the SDK through the guarded resource instead of the raw one.
   * One that does not hold the resource where expected (another SDK version) would send unguarded, so
   * it is refused rather than returned.
   */
  const relink = (made: unknown, path: string, link: ResourceLink): unknown => {
    if (typeof made !== 'object' || made === null || !(link.property in made)) {
      throw new UnsupportedClientError(
        `an object from ${path}() that does not reach \`${link.resource}\` through \`${link.property}\` (an SDK version not supported)`,
      );
    }
    (made as Record<string, unknown>)[link.property] = guardedAt(link.resource);
    return made;
  };

  const wrap = <R extends object>(target: R, path: string): R => {
    const known = proxies.get(target);
    if (known) return known as R;
    // A clone made for the guarded fetch prints as the caller's client (and its resources as theirs).
    if (original !== inner) showAs(target, originalAt(path));
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
        const guarded =
          typeof value === 'function' ? interception.method(childPath, value as AnyMethod, resource) : undefined;
        const link = interception.links.get(childPath);
        let result: unknown;
        if (guarded) {
          result = namedAs(guarded, value as AnyMethod);
        } else if (link && typeof value === 'function') {
          const create = value as AnyMethod;
          result = namedAs((...args: unknown[]) => relink(create.apply(resource, args), childPath, link), create);
        } else if (interception.prefixes.has(childPath) && typeof value === 'object' && value !== null) {
          result = wrap(value, childPath);
        } else if (typeof value === 'function' && property !== 'constructor' && !/^[A-Z]/.test(property)) {
          result = namedAs((value as (...args: unknown[]) => unknown).bind(resource), value as AnyMethod);
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
  root = wrap(inner, '');
  return root as Guarded<T>;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

/** A stand-in with the `name` and `length` of the method it stands for (not `bound create` or ``). */
function namedAs<F extends (...args: never[]) => unknown>(standIn: F, method: AnyMethod): F {
  Object.defineProperty(standIn, 'name', { value: method.name, configurable: true });
  Object.defineProperty(standIn, 'length', { value: method.length, configurable: true });
  return standIn;
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** `util.inspect` of `clone` (a guarded clone's object) prints `shown` (the caller's own one) instead. */
function showAs(clone: object, shown: unknown): void {
  if (shown === undefined || shown === clone || Object.hasOwn(clone, INSPECT)) return;
  Object.defineProperty(clone, INSPECT, {
    configurable: true,
    enumerable: false,
    value: (_depth: number, options: object, inspect: (value: unknown, options: object) => string) =>
      inspect(shown, options),
  });
}

/**
 * Guards a client of an SDK without a fetch seam (`@google/genai`): the client itself is wrapped, and
 * each priced method plans, reserves and settles its call from what the SDK returns.
 */
function guardMethods<T extends object>(client: T, fence: TokenFence, adapter: MethodProviderAdapter): Guarded<T> {
  const node = fence[BUDGET_NODE];
  const policy = fence[POLICY];
  const provider = policy.provider ?? adapter.provider;
  checkFallbackPrices(policy.fallbacks, provider, policy.prices, new Date(node.now()));
  const scope: GuardScope = {
    provider,
    node,
    policy,
    now: () => node.now(),
    client,
  };
  return proxyClient(client, fence, {
    method(path, original, resource) {
      const endpoint = adapter.endpoints.get(path);
      if (!endpoint) return guardUnbudgeted(adapter, path, original, resource, node, scope.provider);
      return (...args: unknown[]) => invokeMethodGuarded(scope, endpoint, original, resource, args);
    },
    links: adapter.links,
    prefixes: resourcePaths([
      ...adapter.endpoints.keys(),
      ...adapter.links.keys(),
      ...(adapter.unbudgeted?.keys() ?? []),
    ]),
  });
}

/**
 * Wraps one SDK client instance in a Proxy that guards its priced methods. A client with `withOptions()`
 * is cloned with a guarded fetch, so each HTTP attempt passes through the guard without touching the
 * caller's original instance; a client without a fetch seam is guarded method by method.
 */
export function guardClient<T extends object>(client: T, fence: TokenFence): Guarded<T> {
  if (typeof client !== 'object' || client === null) throw new UnsupportedClientError(describeValue(client));
  if ((client as Record<symbol, unknown>)[GUARDED]) {
    throw new UnsupportedClientError(
      'a client that is already guarded (nest scopes with `parent` or `fence.guard()` instead)',
    );
  }
  const adapter = detectProvider(client);
  if (!adapter) throw new UnsupportedClientError(describeValue(client));
  if (adapter.seam === 'method') return guardMethods(client, fence, adapter);
  const sdk = client as SdkClient;
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
  checkFallbackPrices(policy.fallbacks, provider, policy.prices, new Date(node.now()));
  scope = { provider, node, policy, now: () => node.now(), client: inner };
  return proxyClient(
    inner,
    fence,
    {
      method(path, original, resource) {
        const endpoint = adapter.endpoints.get(path);
        if (!endpoint) return guardUnbudgeted(adapter, path, original, resource, node, provider);
        return (params: unknown, options?: unknown) =>
          invokeGuarded(scope, endpoint, original, resource, params, options);
      },
      links: NO_LINKS,
      prefixes: resourcePaths([...adapter.endpoints.keys(), ...(adapter.unbudgeted?.keys() ?? [])]),
    },
    client,
  );
}

const NO_LINKS: ReadonlyMap<string, ResourceLink> = new Map();
