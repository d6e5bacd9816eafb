export { guard, TokenFence } from './token-fence.js';
export type { GuardOptions, Guarded, OnLimit, SpendView, TokenFenceLike, TokenFenceOptions } from './types.js';
export type { ModelPriceOverride, PriceTable } from './pricing/price-overrides.js';
export type { NormalizedUsage } from './core/usage.js';
export type {
  BudgetExceededEvent,
  CallOutcome,
  CallSettledEvent,
  CostSource,
  FenceKilledEvent,
  MaxTokensClampedEvent,
  ModelDowngradedEvent,
  ThresholdCrossedEvent,
  TokenFenceEvent,
  TokenFenceEventListener,
  TokenFenceEventType,
} from './events/events.js';
export { TokenFenceError, isTokenFenceError, type TokenFenceErrorCode } from './errors/token-fence-error.js';
export { BudgetExceededError, isBudgetExceededError } from './errors/budget-exceeded-error.js';
export { KillSwitchError, isKillSwitchError } from './errors/kill-switch-error.js';
export { UnknownModelError, isUnknownModelError } from './errors/unknown-model-error.js';
export { InvalidOptionsError, isInvalidOptionsError } from './errors/invalid-options-error.js';
export { UnsupportedClientError, isUnsupportedClientError } from './errors/unsupported-client-error.js';
export { GENAI_PRICES_VERSION } from './pricing/genai-prices-source.js';
