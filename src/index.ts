export type { NormalizedUsage } from './core/usage.js';
export { BudgetExceededError, isBudgetExceededError } from './errors/budget-exceeded-error.js';
export { InvalidOptionsError, isInvalidOptionsError } from './errors/invalid-options-error.js';
export { isKillSwitchError, KillSwitchError } from './errors/kill-switch-error.js';
export { isTokenFenceError, TokenFenceError, type TokenFenceErrorCode } from './errors/token-fence-error.js';
export { isUnknownModelError, UnknownModelError } from './errors/unknown-model-error.js';
export { isUnsupportedClientError, UnsupportedClientError } from './errors/unsupported-client-error.js';
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
export { GENAI_PRICES_VERSION } from './pricing/genai-prices-source.js';
export type { ModelPriceOverride, PriceTable } from './pricing/price-overrides.js';
export { guard, TokenFence } from './token-fence.js';
export type { Guarded, GuardOptions, OnLimit, SpendView, TokenFenceLike, TokenFenceOptions } from './types.js';
