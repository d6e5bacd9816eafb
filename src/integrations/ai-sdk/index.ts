export { aiSdkPricedModel } from './ai-sdk-priced-model.js';
export { type FenceAgentMiddlewareOptions, fenceAgentMiddleware } from './fence-agent-middleware.js';
export type {
  AiSdkCallOptions,
  AiSdkGenerateResult,
  AiSdkStreamResult,
  LanguageModelLike,
  WrapCallOptions,
} from './language-model-like.js';
export {
  type MiddlewareSpecificationOption,
  type MiddlewareSpecificationVersion,
  type TokenfenceMiddleware,
  type TokenfenceMiddlewareOptions,
  tokenfenceMiddleware,
} from './tokenfence-middleware.js';
