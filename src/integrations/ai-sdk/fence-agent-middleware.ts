import { InvalidOptionsError } from '../../errors/invalid-options-error.js';
import type { AgentOptions, TokenFence } from '../../token-fence.js';
import type {
  AiSdkCallOptions,
  AiSdkGenerateResult,
  AiSdkStreamResult,
  WrapCallOptions,
} from './language-model-like.js';
import {
  type MiddlewareSpecificationOption,
  type MiddlewareSpecificationVersion,
  type TokenfenceMiddleware,
  tokenfenceMiddleware,
} from './tokenfence-middleware.js';

/** Options of `fenceAgentMiddleware`: the role's budget as `fence.agent()` takes it, and the declared spec. */
export type FenceAgentMiddlewareOptions<V extends MiddlewareSpecificationVersion = 'v3'> = Omit<
  AgentOptions,
  'fallback'
> &
  MiddlewareSpecificationOption<V>;

/**
 * The AI SDK middleware of one agent role under `fence`, for frameworks that give each agent its own
 * model (Mastra): every call of the wrapped model runs as `fence.agent(label, …)` — recorded under that
 * agent, within the current run, and held against the role's budget before it is sent. One role's
 * middleware may wrap several models; parallel calls of a role in one run share its budget.
 */
export function fenceAgentMiddleware<V extends MiddlewareSpecificationVersion = 'v3'>(
  fence: TokenFence,
  label: string,
  options?: FenceAgentMiddlewareOptions<V>,
): TokenfenceMiddleware<V> {
  // Checked here, not at the first call: a wrong role would otherwise surface inside the framework's agent loop.
  if (typeof label !== 'string' || label === '') throw new InvalidOptionsError('label', 'expected the agent role name');
  const { specificationVersion, ...agentOptions } = options ?? {};
  const guard = tokenfenceMiddleware<V>({
    parent: fence,
    label,
    ...(specificationVersion !== undefined && { specificationVersion }),
  });
  return {
    ...guard,
    wrapGenerate: <P extends AiSdkCallOptions, R extends AiSdkGenerateResult, S extends AiSdkStreamResult>(
      call: WrapCallOptions<P, R, S>,
    ) => fence.agent(label, agentOptions, () => guard.wrapGenerate(call)),
    wrapStream: <P extends AiSdkCallOptions, R extends AiSdkGenerateResult, S extends AiSdkStreamResult>(
      call: WrapCallOptions<P, R, S>,
    ) => fence.agent(label, agentOptions, () => guard.wrapStream(call)),
  };
}
