import type { LanguageModelV4Middleware } from '@ai-sdk/provider-v4';
import type { LanguageModelMiddleware } from 'ai-v7';
import { expectTypeOf } from 'vitest';
import { tokenfenceMiddleware } from '../../src/integrations/ai-sdk/index.js';
import { type AiSdkModules, describeAiSdkContract } from './contracts/ai-sdk-contract.js';

// ai 7's wrapLanguageModel takes the middleware as it comes; the V4 middleware type of @ai-sdk/provider 4 (the
// specification itself) takes it once it declares 'v4'.
expectTypeOf(tokenfenceMiddleware({ budget: 1 })).toExtend<LanguageModelMiddleware>();
expectTypeOf(tokenfenceMiddleware({ budget: 1, specificationVersion: 'v4' })).toExtend<LanguageModelV4Middleware>();
expectTypeOf(tokenfenceMiddleware({ budget: 1 })).not.toExtend<LanguageModelV4Middleware>();

describeAiSdkContract({
  name: 'AI SDK 7 (ai 7, @ai-sdk/* 4, LanguageModelV4)',
  // Typed with the ai 6 line: the V4 types are other shapes of the same calls.
  load: async () =>
    ({
      ai: await import('ai-v7'),
      createOpenAI: (await import('@ai-sdk/openai-v4')).createOpenAI,
      createAnthropic: (await import('@ai-sdk/anthropic-v4')).createAnthropic,
      createGoogleGenerativeAI: (await import('@ai-sdk/google-v4')).createGoogleGenerativeAI,
    }) as unknown as AiSdkModules,
  node: { major: 22 },
  modelSpecification: 'v4',
  middlewareSpecification: 'v4',
});
